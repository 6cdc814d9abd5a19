import { CliError } from './errors.js'

/** One flag, as kubectl spells them: `--name value`, `--name=value`, `-s value`, booleans bare or `=true|false`. */
export interface FlagSpec {
  name: string
  short?: string
  type: 'boolean' | 'string' | 'int' | 'strings'
  /** Shown in --help after the flag; the value's placeholder goes in `value`. */
  help: string
  value?: string
  /** A value flag that may stand bare (`--dry-run` means `--dry-run=client`). */
  bareValue?: string
}

export type FlagValues = Record<string, string | number | boolean | string[] | undefined>

export interface ParsedArgs {
  positionals: string[]
  flags: FlagValues
}

/** Flags every command takes, like kubectl's global options. */
export const globalFlags: FlagSpec[] = [
  {
    name: 'server',
    short: 's',
    type: 'string',
    value: 'URL',
    help: 'the revkube server (default $REVKUBE_SERVER or http://127.0.0.1:4000)',
  },
  { name: 'token', type: 'string', value: 'TOKEN', help: 'bearer token for the server (default $REVKUBE_TOKEN)' },
  { name: 'as', type: 'string', value: 'USER', help: 'act as this user (recorded as the actor of your changes)' },
  { name: 'namespace', short: 'n', type: 'string', value: 'NS', help: 'the namespace (default "default")' },
  { name: 'help', short: 'h', type: 'boolean', help: 'help for this command' },
]

/**
 * Parses argv against the flags a command takes. Unknown flags, missing values and bad numbers
 * are errors that name the flag, as kubectl's are ("unknown flag: --foo").
 */
export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[]): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]))
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]))
  const positionals: string[] = []
  const flags: FlagValues = {}
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!
    if (token === '--') {
      positionals.push(...argv.slice(i + 1))
      break
    }
    if (!token.startsWith('-') || token === '-') {
      positionals.push(token)
      continue
    }
    const long = token.startsWith('--')
    const body = token.slice(long ? 2 : 1)
    const eq = body.indexOf('=')
    const key = eq === -1 ? body : body.slice(0, eq)
    const spec = long ? byName.get(key) : byShort.get(key)
    if (!spec) {
      if (!long && key.length > 1 && byShort.has(key[0]!)) {
        // -nprod: a short flag with its value attached.
        const short = byShort.get(key[0]!)!
        if (short.type !== 'boolean') {
          set(flags, short, body.slice(1), token)
          continue
        }
      }
      throw new CliError(`unknown ${long ? 'flag' : 'shorthand flag'}: ${long ? `--${key}` : `'${key}' in ${token}`}`)
    }
    let value: string | undefined = eq === -1 ? undefined : body.slice(eq + 1)
    if (spec.type === 'boolean') {
      if (value !== undefined && value !== 'true' && value !== 'false') {
        throw new CliError(`invalid argument "${value}" for "${flagName(spec)}" flag: expected true or false`)
      }
      flags[spec.name] = value !== 'false'
      continue
    }
    if (value === undefined && spec.bareValue !== undefined) value = spec.bareValue
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new CliError(`flag needs an argument: ${flagName(spec)}`)
      value = argv[++i]!
    }
    set(flags, spec, value, token)
  }
  return { positionals, flags }
}

function set(flags: FlagValues, spec: FlagSpec, value: string, token: string): void {
  if (spec.type === 'int') {
    if (!/^-?\d+$/.test(value))
      throw new CliError(`invalid argument "${value}" for "${flagName(spec)}" flag: not a whole number (in ${token})`)
    flags[spec.name] = Number(value)
  } else if (spec.type === 'strings') {
    const list = (flags[spec.name] as string[] | undefined) ?? []
    list.push(value)
    flags[spec.name] = list
  } else {
    flags[spec.name] = value
  }
}

export function flagName(spec: FlagSpec): string {
  return spec.short ? `-${spec.short}, --${spec.name}` : `--${spec.name}`
}

/**
 * The command words at the front of argv, skipping flags (and the values of value flags) that
 * come before them: `-n prod get pods` → `get`.
 */
export function commandWords(argv: readonly string[], specs: readonly FlagSpec[], depth: number): { words: string[]; rest: string[] } {
  // Flags that take the next word as their value (as parseArgs reads them: a bare `--dry-run` takes none).
  const takesValue = specs.filter((s) => s.type !== 'boolean' && s.bareValue === undefined)
  const valued = new Set(takesValue.flatMap((s) => [`--${s.name}`, ...(s.short ? [`-${s.short}`] : [])]))
  const words: string[] = []
  const rest: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!
    if (words.length < depth && !token.startsWith('-')) {
      words.push(token)
      continue
    }
    rest.push(token)
    if (valued.has(token) && i + 1 < argv.length) rest.push(argv[++i]!)
    if (token === '--') {
      rest.push(...argv.slice(i + 1))
      break
    }
  }
  return { words, rest }
}
