import type { FlagSpec } from './args.js'
import type { CommandContext } from './command.js'
import { CliError } from './errors.js'

/** kubectl's --validate: how the server treats unknown fields in what apply, create, replace and patch send. */
export const validateFlag: FlagSpec = {
  name: 'validate',
  type: 'string',
  bareValue: 'strict',
  value: 'strict|warn|ignore',
  help: 'unknown fields: strict (or true, the default) refuses them, warn drops them with a warning, ignore (or false) drops them silently',
}

const modes: Record<string, 'STRICT' | 'WARN' | 'IGNORE'> = {
  strict: 'STRICT',
  true: 'STRICT',
  warn: 'WARN',
  ignore: 'IGNORE',
  false: 'IGNORE',
}

/** The server's fieldValidation for --validate: STRICT unless --validate=warn or --validate=false, as kubectl sends. */
export function fieldValidationOf(ctx: CommandContext): 'STRICT' | 'WARN' | 'IGNORE' {
  const value = String(ctx.flags.validate ?? 'strict')
  const mode = modes[value.toLowerCase()]
  if (!mode) throw new CliError(`invalid - validate option "${value}"; must be one of: strict (or true), warn, ignore (or false)`)
  return mode
}
