/**
 * What the CLI prints when a command fails, and the exit code. kubectl prints
 * `error: …` for its own errors and `Error from server (Reason): …` for the server's; both exit 1.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message)
  }

  /** The line printed on stderr. */
  get line(): string {
    return this.message.startsWith('Error from server') ? this.message : `error: ${this.message}`
  }
}

/** An error the server answered with: its Kubernetes reason (NotFound, Conflict, …) and message. */
export class ServerError extends CliError {
  constructor(
    readonly reason: string,
    readonly serverMessage: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(`Error from server (${reason}): ${serverMessage}`)
  }
}
