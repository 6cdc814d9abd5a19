/** A start-up setting that is missing or wrong: one line that names the setting and what is wrong with it. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}
