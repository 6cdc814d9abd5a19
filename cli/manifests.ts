import { readdir, readFile, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parseAllDocuments } from 'yaml'
import type { FlagSpec } from './args.js'
import type { CommandContext } from './command.js'
import { CliError } from './errors.js'
import { apiResources } from './kinds.js'

type Json = Record<string, unknown>

export const fileFlags: FlagSpec[] = [
  {
    name: 'filename',
    short: 'f',
    type: 'strings',
    value: 'PATH',
    help: 'a UTF-8 manifest file, a directory of them, or - for standard input (repeatable); with -n, no object may name another namespace',
  },
  { name: 'recursive', short: 'R', type: 'boolean', help: 'read the directories given with -f recursively' },
]

/** One manifest file as read: where it came from, its text and its documents (parsed, non-empty). */
export interface ManifestFile {
  source: string
  text: string
  objects: Json[]
}

const MANIFEST = /\.(ya?ml|json)$/i

/**
 * The files named by -f: files, directories (their .yaml, .yml and .json files, sorted; with -R
 * their subdirectories too) and `-` for standard input. YAML errors name the file and line.
 */
export async function readManifests(ctx: CommandContext): Promise<ManifestFile[]> {
  const paths = (ctx.flags.filename as string[] | undefined) ?? []
  if (paths.length === 0) throw new CliError('must specify -f FILENAME: a manifest file, a directory of them, or - for standard input')
  const files: ManifestFile[] = []
  for (const path of paths) {
    if (path === '-') {
      files.push(parseManifest('STDIN', manifestText('STDIN', await ctx.io.readStdin())))
      continue
    }
    const full = resolve(ctx.io.cwd, path)
    const info = await stat(full).catch(() => undefined)
    if (!info) throw new CliError(`the path "${path}" does not exist`)
    const names = info.isDirectory() ? await listDirectory(full, path, ctx.flags.recursive === true) : [path]
    if (info.isDirectory() && names.length === 0) throw new CliError(`error reading "${path}": no .yaml, .yml or .json files in it`)
    for (const name of names) files.push(parseManifest(name, manifestText(name, await readFile(resolve(ctx.io.cwd, name)))))
  }
  await requireNamespace(ctx, files)
  return files
}

/**
 * kubectl's `RequireNamespace`: with -n given, a namespaced object whose manifest names another
 * namespace is refused, before anything is written, rather than written where -n did not say.
 */
async function requireNamespace(ctx: CommandContext, files: ManifestFile[]): Promise<void> {
  const wanted = ctx.flags.namespace as string | undefined
  if (wanted === undefined) return
  const elsewhere = files
    .flatMap((file) => file.objects)
    .filter((object) => {
      const namespace = (object.metadata as Json | undefined)?.namespace
      return typeof namespace === 'string' && namespace !== '' && namespace !== wanted
    })
  if (elsewhere.length === 0) return
  const resources = await apiResources(ctx)
  for (const object of elsewhere) {
    const group = String(object.apiVersion).includes('/') ? String(object.apiVersion).split('/')[0] : ''
    if (resources.some((r) => r.kind === object.kind && r.group === group && !r.namespaced)) continue
    const namespace = String((object.metadata as Json).namespace)
    throw new CliError(
      `the namespace from the provided object "${namespace}" does not match the namespace "${wanted}". ` +
        `You must pass '--namespace=${namespace}' to perform this operation.`,
    )
  }
}

async function listDirectory(full: string, shown: string, recursive: boolean): Promise<string[]> {
  const entries = (await readdir(full, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))
  const out: string[] = []
  for (const entry of entries) {
    if (entry.isDirectory() && recursive) out.push(...(await listDirectory(join(full, entry.name), join(shown, entry.name), true)))
    else if (entry.isFile() && MANIFEST.test(entry.name)) out.push(join(shown, entry.name))
  }
  return out
}

/**
 * The bytes of a manifest as text. Invalid UTF-8 is refused, as Kubernetes' YAML reader refuses it,
 * naming the byte and where it stands; it is never stored as U+FFFD. A leading BOM is dropped.
 */
export function manifestText(source: string, bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    const offset = invalidUtf8Offset(bytes)
    const line = bytes.subarray(0, offset).filter((byte) => byte === 0x0a).length + 1
    const byte = `0x${(bytes[offset] ?? 0).toString(16).padStart(2, '0')}`
    throw new CliError(
      `error parsing ${source}: invalid UTF-8 at line ${line} (byte ${byte} at offset ${offset}); manifests must be UTF-8 text`,
    )
  }
}

/**
 * Where the first invalid UTF-8 sequence starts: the lenient decoder turns it into U+FFFD, and the
 * text before it re-encodes to the same bytes. A U+FFFD written in the input (EF BF BD) is no error.
 */
function invalidUtf8Offset(bytes: Uint8Array): number {
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)
  let offset = 0
  let from = 0
  for (let at = text.indexOf('\uFFFD'); at !== -1; at = text.indexOf('\uFFFD', at + 1)) {
    offset += Buffer.byteLength(text.slice(from, at))
    from = at
    if (!(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd)) return offset
  }
  return bytes.length
}

/** Parses a multi-document YAML (or JSON) text; an error names the source, line and column. */
export function parseManifest(source: string, text: string): ManifestFile {
  const objects: Json[] = []
  for (const document of parseAllDocuments(text)) {
    const problem = document.errors[0]
    if (problem) {
      const at = problem.linePos?.[0]
      throw new CliError(
        `error parsing ${source}: ${at ? `line ${at.line}, column ${at.col}: ` : ''}${problem.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
      )
    }
    const value: unknown = document.toJSON()
    if (value === null || value === undefined) continue
    const items = isList(value) ? (value.items as unknown[]) : [value]
    for (const item of items) {
      if (!item || typeof item !== 'object' || Array.isArray(item)) {
        const line = document.contents?.range ? lineOf(text, document.contents.range[0]) : undefined
        throw new CliError(
          `error parsing ${source}${line ? `: line ${line}` : ''}: a manifest must be a mapping with apiVersion, kind and metadata`,
        )
      }
      const object = item as Json
      if (typeof object.kind !== 'string' || typeof object.apiVersion !== 'string') {
        const line = document.contents?.range ? lineOf(text, document.contents.range[0]) : undefined
        throw new CliError(
          `error validating ${source}${line ? ` (document at line ${line})` : ''}: ${typeof object.kind !== 'string' ? 'kind' : 'apiVersion'} not set`,
        )
      }
      objects.push(object)
    }
  }
  if (objects.length === 0) throw new CliError(`no objects passed to apply: ${source} holds no manifests`)
  return { source, text, objects }
}

function isList(value: unknown): value is { items: unknown[] } {
  const v = value as Json
  return typeof v === 'object' && v !== null && typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items)
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length
}
