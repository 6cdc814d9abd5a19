import { readdir, readFile, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parseAllDocuments } from 'yaml'
import type { FlagSpec } from './args.js'
import type { CommandContext } from './command.js'
import { CliError } from './errors.js'

type Json = Record<string, unknown>

export const fileFlags: FlagSpec[] = [
  { name: 'filename', short: 'f', type: 'strings', value: 'PATH', help: 'a manifest file, a directory of them, or - for standard input (repeatable)' },
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
  if (paths.length === 0) throw new CliError('must specify one of -f and -k')
  const files: ManifestFile[] = []
  for (const path of paths) {
    if (path === '-') {
      files.push(parseManifest('STDIN', await ctx.io.readStdin()))
      continue
    }
    const full = resolve(ctx.io.cwd, path)
    const info = await stat(full).catch(() => undefined)
    if (!info) throw new CliError(`the path "${path}" does not exist`)
    const names = info.isDirectory() ? await listDirectory(full, path, ctx.flags.recursive === true) : [path]
    if (info.isDirectory() && names.length === 0) throw new CliError(`error reading "${path}": no .yaml, .yml or .json files in it`)
    for (const name of names) files.push(parseManifest(name, await readFile(resolve(ctx.io.cwd, name), 'utf8')))
  }
  return files
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

/** Parses a multi-document YAML (or JSON) text; an error names the source, line and column. */
export function parseManifest(source: string, text: string): ManifestFile {
  const objects: Json[] = []
  for (const document of parseAllDocuments(text)) {
    const problem = document.errors[0]
    if (problem) {
      const at = problem.linePos?.[0]
      throw new CliError(`error parsing ${source}: ${at ? `line ${at.line}, column ${at.col}: ` : ''}${problem.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`)
    }
    const value: unknown = document.toJSON()
    if (value === null || value === undefined) continue
    const items = isList(value) ? (value.items as unknown[]) : [value]
    for (const item of items) {
      if (!item || typeof item !== 'object' || Array.isArray(item)) {
        const line = document.contents?.range ? lineOf(text, document.contents.range[0]) : undefined
        throw new CliError(`error parsing ${source}${line ? `: line ${line}` : ''}: a manifest must be a mapping with apiVersion, kind and metadata`)
      }
      const object = item as Json
      if (typeof object.kind !== 'string' || typeof object.apiVersion !== 'string') {
        const line = document.contents?.range ? lineOf(text, document.contents.range[0]) : undefined
        throw new CliError(`error validating ${source}${line ? ` (document at line ${line})` : ''}: ${typeof object.kind !== 'string' ? 'kind' : 'apiVersion'} not set`)
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
