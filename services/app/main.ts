/**
 * `npm start [-- --sim-nodes N …]`: reads the configuration from the environment and the flags and serves until SIGINT or SIGTERM,
 * then shuts down gracefully (see RunningServer.stop) and exits 0; a second signal exits at once.
 * Start-up failures print one line that names the problem and exit with status 1.
 */
import { ConfigError, configFromEnv, envWithFlags, type Config } from '../config.js'
import { log } from '../log.js'
import { DatabaseUnavailableError } from '../store/database.js'
import { NewerSchemaError } from '../store/migrate.js'
import { startServer, type RunningServer } from './server.js'

/** How long the database may take to close after the grace period before the process gives up on it. */
const CLOSE_MARGIN_MS = 5_000

let server: RunningServer | undefined
let signalled: string | undefined
let graceMs = 10_000

function stop(running: RunningServer): void {
  running.stop().then(
    () => {
      log.info('stopped', { signal: signalled })
      process.exit(0)
    },
    (error) => {
      log.error('stopped with an error', { error })
      process.exit(1)
    },
  )
}

function onSignal(signal: string): void {
  if (signalled) {
    log.warn('second signal: exiting now', { signal })
    process.exit(1)
  }
  signalled = signal
  log.info('stopping', { signal, graceSeconds: graceMs / 1000 })
  setTimeout(() => {
    log.error('shutdown did not finish within the grace period; exiting anyway', { graceSeconds: graceMs / 1000 })
    process.exit(1)
  }, graceMs + CLOSE_MARGIN_MS).unref()
  // Still starting: stop once start-up has finished (or failed).
  if (server) stop(server)
}

process.on('SIGINT', () => onSignal('SIGINT'))
process.on('SIGTERM', () => onSignal('SIGTERM'))

try {
  const config: Config = configFromEnv(envWithFlags(process.argv.slice(2)))
  graceMs = config.shutdownTimeoutMs ?? graceMs
  server = await startServer(config, log)
  if (signalled) stop(server)
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
