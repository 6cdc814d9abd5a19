import { stringify } from 'yaml'
import type { FlagSpec } from './args.js'
import { columnsFor } from './columns.js'
import type { CommandContext } from './command.js'
import { CliError } from './errors.js'
import { objectName, type ApiResource } from './kinds.js'

type Json = Record<string, unknown>

export const outputFlag: FlagSpec = {
  name: 'output',
  short: 'o',
  type: 'string',
  value: 'FORMAT',
  help: 'output format: table (default), wide, yaml, json, name',
}
export const noHeadersFlag: FlagSpec = { name: 'no-headers', type: 'boolean', help: 'leave out the header line of tables' }
export const showLabelsFlag: FlagSpec = { name: 'show-labels', type: 'boolean', help: 'add a LABELS column to tables' }

export type OutputFormat = 'table' | 'wide' | 'yaml' | 'json' | 'name'
const formats: OutputFormat[] = ['table', 'wide', 'yaml', 'json', 'name']

export function outputFormat(ctx: CommandContext, allowed: OutputFormat[] = formats): OutputFormat {
  const value = (ctx.flags.output as string | undefined) ?? 'table'
  if (!allowed.includes(value as OutputFormat)) {
    throw new CliError(`unable to match a printer suitable for the output format "${value}", allowed formats are: ${allowed.join(',')}`)
  }
  return value as OutputFormat
}

/** Kubernetes' list wrapper, as kubectl prints a list in JSON or YAML. */
export function asList(items: Json[]): Json {
  return { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } }
}

/** Keys in alphabetical order at every level, as kubectl prints objects (apiVersion, kind, metadata, spec, status). */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys((value as Json)[k])]),
  )
}

export function toJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 4)}\n`
}

export function toYaml(value: unknown): string {
  return stringify(sortKeys(value), { lineWidth: 0, aliasDuplicateObjects: false })
}

/** An object as YAML for diffs: without its resourceVersion, which is the revision itself and always differs. */
export function diffableYaml(object: Json | undefined): string {
  if (!object) return ''
  const copy = structuredClone(object)
  delete (copy.metadata as Json | undefined)?.resourceVersion
  return toYaml(copy)
}

/** Left-aligned columns separated by `gap` spaces (kubectl's get uses three, its rollout history two). */
export function formatTable(rows: string[][], gap = 3): string {
  if (rows.length === 0) return ''
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)))
  return (
    rows
      .map((r) =>
        r
          .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]! + gap)))
          .join('')
          .trimEnd(),
      )
      .join('\n') + '\n'
  )
}

export interface TableOptions {
  wide: boolean
  /** Prefix a NAMESPACE column (-A). */
  withNamespace: boolean
  showLabels: boolean
  noHeaders: boolean
  /** Name objects as kind/name (several kinds in one listing). */
  withKind: boolean
}

/**
 * A table of objects of one kind: a header (each column's name upper-cased, as kubectl prints
 * them) and a row per object, the name column as kind/name when `withKind`.
 */
export async function tableRows(resource: ApiResource, objects: Json[], options: TableOptions, now: Date): Promise<string[][]> {
  const columns = await columnsFor(resource.kind, options.wide)
  const meta = (o: Json) => (o.metadata ?? {}) as Json
  const header = [
    ...(options.withNamespace ? ['NAMESPACE'] : []),
    ...columns.map((c) => c.name.toUpperCase()),
    ...(options.showLabels ? ['LABELS'] : []),
  ]
  const rows = objects.map((o) => {
    const name = options.withKind ? objectName(resource, String(meta(o).name)) : String(meta(o).name)
    const labels =
      Object.entries((meta(o).labels ?? {}) as Json)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(',') || '<none>'
    return [
      ...(options.withNamespace ? [String(meta(o).namespace ?? '')] : []),
      ...columns.map((c) => (c.format === 'name' ? name : String(c.cell(o, now)))),
      ...(options.showLabels ? [labels] : []),
    ]
  })
  return options.noHeaders ? rows : [header, ...rows]
}

/** Prints objects of one kind in the -o format: a List for json/yaml, kind/name for name, else a table. */
export async function printObjects(
  ctx: CommandContext,
  resource: ApiResource,
  objects: Json[],
  options: { withNamespace?: boolean; single?: boolean } = {},
): Promise<void> {
  const format = outputFormat(ctx)
  const { io } = ctx
  if (format === 'json') return io.out(toJson(options.single && objects.length === 1 ? objects[0] : asList(objects)))
  if (format === 'yaml') return io.out(toYaml(options.single && objects.length === 1 ? objects[0] : asList(objects)))
  if (format === 'name') return io.out(objects.map((o) => `${objectName(resource, String((o.metadata as Json).name))}\n`).join(''))
  io.out(
    formatTable(
      await tableRows(
        resource,
        objects,
        {
          wide: format === 'wide',
          withNamespace: options.withNamespace ?? false,
          showLabels: ctx.flags['show-labels'] === true,
          noHeaders: ctx.flags['no-headers'] === true,
          withKind: false,
        },
        io.now(),
      ),
    ),
  )
}

/** kubectl's confirmation line: `deployment.apps/web scaled` (with ` (dry run)` for dry runs). */
export function printAction(ctx: CommandContext, resource: ApiResource, name: string, action: string, dryRun = false): void {
  if (ctx.flags.output === 'name') return ctx.io.out(`${objectName(resource, name)}\n`)
  ctx.io.out(`${objectName(resource, name)} ${action}${dryRun ? ' (dry run)' : ''}\n`)
}
