import { createInterface } from 'node:readline'
import { commandWords, flagName, globalFlags, parseArgs, type FlagSpec } from './args.js'
import { commands } from './commands/index.js'
import { createContext, type Command, type Io } from './command.js'
import { CliError } from './errors.js'

const groups = new Set(commands.filter((c) => c.name.includes(' ')).map((c) => c.name.split(' ')[0]!))

/** Runs one revkube command line; returns the exit code. Nothing throws out of here. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  const first = commandWords(argv, globalFlags, 1)
  const word = first.words[0]
  if (word === undefined || word === 'help') {
    if (word === undefined && first.rest.some((t) => t !== '-h' && t !== '--help')) {
      return fail(io, new CliError(`a command is needed before ${first.rest[0]}: run "revkube --help" for the list`))
    }
    const about = word === 'help' ? first.rest.filter((t) => !t.startsWith('-')) : []
    if (about.length) return run([...about, '--help'], io)
    io.out(topHelp())
    return 0
  }
  let name = word
  let rest = first.rest
  // A group may be a command too (`create -f FILE` beside `create namespace NAME`): it runs itself
  // unless its first word (after its own flags, so `create -f namespace` reads a file) names a subcommand.
  const parent = commands.find((c) => c.name === word)
  const second = groups.has(word) ? commandWords(rest, parent ? flagsOf(parent) : globalFlags, 1) : undefined
  const sub = second?.words[0]
  if (second && (!parent || commands.some((c) => isNamed(c, `${word} ${sub}`)))) {
    if (sub === undefined) {
      io.out(groupHelp(word))
      return rest.some((t) => t === '-h' || t === '--help') ? 0 : 1
    }
    name = `${word} ${sub}`
    rest = second.rest
  }
  const command = commands.find((c) => isNamed(c, name))
  if (!command) {
    const known = groups.has(word)
      ? `unknown command "${name.split(' ')[1]}" for "revkube ${word}"`
      : `unknown command "${word}" for "revkube"`
    return fail(io, new CliError(`${known}\nRun 'revkube ${groups.has(word) ? `${word} ` : ''}--help' for usage.`))
  }
  const ctx = createContext([], {}, io)
  try {
    const parsed = parseArgs(rest, flagsOf(command))
    if (parsed.flags.help) {
      io.out(commandHelp(command))
      return 0
    }
    Object.assign(ctx, createContext(parsed.positionals, parsed.flags, io))
    return (await command.run(ctx)) ?? 0
  } catch (error) {
    return fail(io, error)
  } finally {
    await ctx.close().catch(() => undefined)
  }
}

const isNamed = (command: Command, name: string) => command.name === name || (command.aliases ?? []).includes(name)

function flagsOf(command: Command): FlagSpec[] {
  const own = command.flags ?? []
  const global = command.local ? globalFlags.filter((f) => f.name === 'help') : globalFlags
  return [...global.filter((g) => !own.some((f) => f.name === g.name)), ...own]
}

function fail(io: Io, error: unknown): number {
  if (error instanceof CliError) {
    io.err(`${error.line}\n`)
    return error.exitCode
  }
  const message = error instanceof Error ? error.message : String(error)
  io.err(`error: ${message}\n`)
  if (io.env.REVKUBE_DEBUG && error instanceof Error) io.err(`${error.stack}\n`)
  return 1
}

function topHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2
  const firstOfGroup = (c: Command) => commands.find((o) => o.name.split(' ')[0] === c.name.split(' ')[0]) === c
  const lines = commands
    .filter((c) => !c.name.includes(' ') || firstOfGroup(c))
    .map((c) => {
      const name = c.name.includes(' ') ? c.name.split(' ')[0]! : c.name
      const summary = c.name.includes(' ') ? groupSummary(name) : c.summary
      return `  ${name.padEnd(width)}${summary}`
    })
  return [
    'revkube: a Kubernetes-shaped control plane whose state is an event log, with time travel.',
    '',
    'Usage: revkube COMMAND [flags]',
    '',
    'Commands:',
    ...lines,
    '',
    'Global flags:',
    ...flagLines(globalFlags),
    '',
    'Every read takes --at REV, --at 2026-11-26T14:02:00Z or --at -5m to see the cluster as it was.',
    'Use "revkube COMMAND --help" for more about a command.',
    '',
  ].join('\n')
}

function groupSummary(group: string): string {
  if (group === 'rollout') return 'Manage the rollout of a Deployment (status, history, undo, pause, resume, restart)'
  if (group === 'auth') return 'Who you are and what you may do (whoami, can-i), ServiceAccount tokens (token), key rotation (rotate-key)'
  return commands
    .filter((c) => c.name.startsWith(`${group} `))
    .map((c) => c.name.split(' ')[1])
    .join(', ')
}

function groupHelp(group: string): string {
  const subs = commands.filter((c) => c.name.startsWith(`${group} `))
  const width = Math.max(...subs.map((c) => c.name.length)) + 2
  return [
    `${groupSummary(group)}.`,
    '',
    `Usage: revkube ${group} SUBCOMMAND [flags]`,
    '',
    'Subcommands:',
    ...subs.map((c) => `  ${c.name.split(' ')[1]!.padEnd(width)}${c.summary}`),
    '',
  ].join('\n')
}

function flagLines(flags: FlagSpec[]): string[] {
  const labels = flags.map((f) => `${flagName(f)}${f.value ? ` ${f.value}` : ''}`)
  const width = Math.max(...labels.map((l) => l.length)) + 2
  return flags.map((f, i) => `  ${labels[i]!.padEnd(width)}${f.help}`)
}

export function commandHelp(command: Command): string {
  return [
    `${command.summary}.`,
    ...(command.description ? ['', command.description] : []),
    '',
    'Examples:',
    ...command.examples.map((e) => `  ${e}`),
    '',
    'Usage:',
    `  revkube ${command.usage}`,
    '',
    'Flags:',
    ...flagLines(flagsOf(command)),
    '',
  ].join('\n')
}

/** The real process: streams, environment, Ctrl-C. */
export function processIo(): Io {
  let interrupt!: () => void
  const interrupted = new Promise<void>((resolve) => (interrupt = resolve))
  process.once('SIGINT', () => interrupt())
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = []
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
      return Buffer.concat(chunks)
    },
    stdinLines: () => createInterface({ input: process.stdin, crlfDelay: Infinity }),
    isTTY: process.stdout.isTTY === true,
    errIsTTY: process.stderr.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
    interrupted,
  }
}

export async function main(): Promise<void> {
  // A closed pipe (revkube get pods | head) is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0)
  })
  const code = await run(process.argv.slice(2), processIo())
  // Let stdout drain before exiting.
  process.stdout.write('', () => process.exit(code))
}
