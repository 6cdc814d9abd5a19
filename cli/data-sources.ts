import { readdir, readFile, stat } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import { isUtf8 } from 'node:buffer'
import type { FlagSpec } from './args.js'
import type { CommandContext } from './command.js'
import { CliError } from './errors.js'

/**
 * The data of `create configmap` and `create secret generic`, gathered as kubectl gathers it
 * (`k8s.io/kubectl/pkg/cmd/create/create_configmap.go`, `create_secret.go`, `pkg/cmd/util/env_file.go`):
 * `--from-literal` first, then `--from-file`, then `--from-env-file`, each entry in the order given.
 */

export const dataSourceFlags: FlagSpec[] = [
  { name: 'from-literal', type: 'strings', value: 'KEY=VALUE', help: 'a key and a literal value (repeatable)' },
  {
    name: 'from-file',
    type: 'strings',
    value: '[KEY=]PATH',
    help: "a file's content under KEY (default: the file's name); a directory adds each regular file in it (repeatable)",
  },
  {
    name: 'from-env-file',
    type: 'strings',
    value: 'PATH',
    help: 'KEY=VALUE lines of a file (# comments; a bare KEY takes its value from the environment) (repeatable)',
  },
]

/** One entry: its key, and its value as text or (a file that is not UTF-8) as bytes. */
export interface DataEntry {
  key: string
  value: string | Uint8Array
}

/**
 * Every entry the flags name, files read relative to the working directory. `envFileWord` is how
 * kubectl's messages name an env file ("env config file" for ConfigMaps, "env secret file" for Secrets).
 */
export async function dataEntries(ctx: CommandContext, envFileWord: string): Promise<DataEntry[]> {
  const literals = (ctx.flags['from-literal'] as string[] | undefined) ?? []
  const files = (ctx.flags['from-file'] as string[] | undefined) ?? []
  const envFiles = (ctx.flags['from-env-file'] as string[] | undefined) ?? []
  if (envFiles.length > 0 && (files.length > 0 || literals.length > 0))
    throw new CliError('from-env-file cannot be combined with from-file or from-literal')
  const entries: DataEntry[] = literals.map(literalEntry)
  for (const source of files) entries.push(...(await fileEntries(ctx, source)))
  for (const path of envFiles) entries.push(...(await envFileEntries(ctx, path, envFileWord)))
  return entries
}

/** `ParseLiteralSource`: split at the first `=`; quotes around the value are trimmed. */
function literalEntry(source: string): DataEntry {
  const eq = source.indexOf('=')
  if (eq <= 0) throw new CliError(`invalid literal source ${source}, expected key=value`)
  return { key: source.slice(0, eq), value: source.slice(eq + 1).replace(/^["']+|["']+$/g, '') }
}

/** `ParseFileSource` and the directory walk: `PATH`, `KEY=PATH`, or a directory's regular files. */
async function fileEntries(ctx: CommandContext, source: string): Promise<DataEntry[]> {
  const separators = source.split('=').length - 1
  if (separators > 1) throw new CliError("key names or file paths cannot contain '='")
  if (separators === 1 && source.startsWith('=')) throw new CliError(`key name for file path ${source.slice(1)} missing`)
  if (separators === 1 && source.endsWith('=')) throw new CliError(`file path for key name ${source.slice(0, -1)} missing`)
  const [key, path] = separators === 1 ? (source.split('=') as [string, string]) : [basename(source), source]
  const full = resolve(ctx.io.cwd, path)
  const info = await stat(full).catch((error: NodeJS.ErrnoException) => {
    throw new CliError(`error reading ${path}: ${reason(error)}`)
  })
  if (!info.isDirectory()) return [{ key, value: text(await readFile(full)) }]
  if (separators === 1) throw new CliError('cannot give a key name for a directory path')
  const items = (await readdir(full, { withFileTypes: true })).filter((item) => item.isFile()).sort((a, b) => (a.name < b.name ? -1 : 1))
  return Promise.all(items.map(async (item) => ({ key: item.name, value: text(await readFile(join(full, item.name))) })))
}

/** `AddFromEnvFile`: KEY=VALUE lines, values kept as written; blank lines and `#` comments skipped. */
async function envFileEntries(ctx: CommandContext, path: string, envFileWord: string): Promise<DataEntry[]> {
  const full = resolve(ctx.io.cwd, path)
  const info = await stat(full).catch((error: NodeJS.ErrnoException) => {
    throw new CliError(`error reading ${path}: ${reason(error)}`)
  })
  if (info.isDirectory()) throw new CliError(`${envFileWord} cannot be a directory`)
  const { ENV_NAME, ENV_NAME_ERROR } = await import('../services/resources/kinds/container.js') // loaded only when needed: the CLI starts faster
  const bytes = await readFile(full)
  const entries: DataEntry[] = []
  let start = 0
  for (let number = 1; start < bytes.length; number++) {
    const newline = bytes.indexOf(0x0a, start)
    const end = newline === -1 ? bytes.length : newline
    let line = bytes.subarray(start, end > start && bytes[end - 1] === 0x0d ? end - 1 : end)
    start = end + 1
    if (!isUtf8(line)) throw new CliError(`env file ${path} contains invalid utf8 bytes at line ${number}: [${line.join(' ')}]`)
    if (number === 1 && line[0] === 0xef && line[1] === 0xbb && line[2] === 0xbf) line = line.subarray(3)
    const content = line.toString('utf8').trimStart()
    if (content === '' || content.startsWith('#')) continue
    const eq = content.indexOf('=')
    const key = eq === -1 ? content : content.slice(0, eq)
    if (!ENV_NAME.test(key)) throw new CliError(`${JSON.stringify(key)} is not a valid key name: ${ENV_NAME_ERROR}`)
    entries.push({ key, value: eq === -1 ? (ctx.io.env[key] ?? '') : content.slice(eq + 1) })
  }
  return entries
}

/** A file's content: text when it is UTF-8 (kubectl's `utf8.Valid`), else its bytes. */
const text = (bytes: Buffer): string | Uint8Array => (isUtf8(bytes) ? bytes.toString('utf8') : bytes)

/** Go's `os.PathError.Err` text for the common cases. */
function reason(error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT') return 'no such file or directory'
  if (error.code === 'EACCES') return 'permission denied'
  return error.message
}
