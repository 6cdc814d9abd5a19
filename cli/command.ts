import type { FlagSpec, FlagValues } from './args.js'
import { cliConfigPath, readCliConfig, serverKey } from '../services/auth/credentials.js'
import { DEFAULT_SERVER, RevkubeClient } from './client.js'

/** The process around a command: its streams and environment, injectable for tests. */
export interface Io {
  out(text: string): void
  err(text: string): void
  /** Standard input, read whole as bytes (for `-f -`: manifests are decoded as strict UTF-8). */
  readStdin(): Promise<Uint8Array>
  /** Standard input as a stream of lines (for `import` of large logs). */
  stdinLines(): AsyncIterable<string>
  /** Standard output is a terminal (progress bars, colours). */
  readonly isTTY: boolean
  /** Standard error is a terminal (progress bars of export, import and replay). */
  readonly errIsTTY?: boolean
  readonly env: Record<string, string | undefined>
  readonly cwd: string
  now(): Date
  /** Resolves when the user interrupts (Ctrl-C): watches and follows end cleanly. */
  readonly interrupted: Promise<void>
}

/** One `revkube` command: its words, help, flags and what it does. */
export interface Command {
  /** `get`, or `rollout status` for a subcommand. */
  name: string
  /** Other names for it, as kubectl's short forms: `create ns` for `create namespace`. */
  aliases?: string[]
  summary: string
  /** After `revkube`: `get KIND [NAME] [flags]`. */
  usage: string
  /** Lines of examples, shown in --help. */
  examples: string[]
  flags?: FlagSpec[]
  /** Longer help, shown before the flags. */
  description?: string
  /** Does not talk to a server (no --server, --token). */
  local?: boolean
  /** Returns the exit code (0 when nothing is returned). */
  run(ctx: CommandContext): Promise<number | void>
}

export interface CommandContext {
  args: string[]
  flags: FlagValues
  io: Io
  /** The namespace from -n, else "default". */
  namespace: string
  /** The client for --server/--token (created on first use). */
  client(): RevkubeClient
}

export function createContext(args: string[], flags: FlagValues, io: Io): CommandContext & { close(): Promise<void> } {
  let client: RevkubeClient | undefined
  return {
    args,
    flags,
    io,
    namespace: (flags.namespace as string | undefined) ?? 'default',
    client: () => {
      if (client) return client
      const server = (flags.server as string | undefined) ?? io.env.REVKUBE_SERVER ?? DEFAULT_SERVER
      client = new RevkubeClient(
        server,
        (flags.token as string | undefined) ?? io.env.REVKUBE_TOKEN ?? rememberedToken(io, server),
        flags.as as string | undefined,
      )
      client.onWarning = (warning) => io.err(`Warning: ${warning}\n`)
      return client
    },
    close: async () => client?.close(),
  }
}

/** Flag accessors that keep commands short. */
export const flag = {
  string: (ctx: CommandContext, name: string) => ctx.flags[name] as string | undefined,
  bool: (ctx: CommandContext, name: string) => ctx.flags[name] === true,
  int: (ctx: CommandContext, name: string) => ctx.flags[name] as number | undefined,
  strings: (ctx: CommandContext, name: string) => (ctx.flags[name] as string[] | undefined) ?? [],
}

/** The token a server on this machine recorded for the CLI when it started ($REVKUBE_CONFIG or ~/.revkube/config.json). */
function rememberedToken(io: Io, server: string): string | undefined {
  return readCliConfig(cliConfigPath(io.env)).servers[serverKey(server)]?.token
}
