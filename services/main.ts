/**
 * `npm start [-- --sim-nodes N …]`: reads the configuration from the environment and the flags and serves until SIGINT or SIGTERM.
 * Start-up failures print one line that names the problem and exit with status 1.
 */
import { ConfigError, configFromEnv, envWithFlags } from './config.js'
import { log } from './log.js'
import { DatabaseUnavailableError } from './store/database.js'
import { NewerSchemaError } from './store/migrate.js'
import { startServer } from './server.js'

try {
  const server = await startServer(configFromEnv(envWithFlags(process.argv.slice(2))), log)
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    log.info('stopping', { signal })
    server.stop().then(
      () => process.exit(0),
      (error) => {
        log.error('stopped with an error', { error })
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
} catch (error) {
  const known = [ConfigError, DatabaseUnavailableError, NewerSchemaError].some((type) => error instanceof type)
  const message = error instanceof Error ? error.message : String(error)
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    process.stderr.write(`revkube: the port is already in use: ${message}\n`)
  } else if (known) {
    process.stderr.write(`revkube: ${message}\n`)
  } else {
    process.stderr.write(`revkube: failed to start: ${message}\n`)
    log.debug('start-up failure', { error })
  }
  process.exit(1)
}
