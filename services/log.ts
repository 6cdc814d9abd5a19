/**
 * Structured logs on stderr: `text` (default on a terminal) or `json` lines (LOG_FORMAT=json),
 * filtered by LOG_LEVEL (debug, info, warn, error; default info).
 */

type Level = 'debug' | 'info' | 'warn' | 'error'
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
  child(fields: Record<string, unknown>): Logger
}

export function createLogger(
  options: { level?: string | undefined; format?: string | undefined; write?: (line: string) => void } = {},
  context: Record<string, unknown> = {},
): Logger {
  const min = order[(options.level as Level) ?? 'info'] ?? order.info
  const json = options.format === 'json'
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`))
  const emit = (level: Level, message: string, fields: Record<string, unknown> = {}) => {
    if (order[level] < min) return
    const all = { ...context, ...fields }
    if (json) {
      write(JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...serialisable(all) }))
    } else {
      const pairs = Object.entries(serialisable(all)).map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v)}`)
      write([new Date().toISOString(), level.toUpperCase().padEnd(5), message, ...pairs].join(' '))
    }
  }
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(options, { ...context, ...fields }),
  }
}

function serialisable(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(fields)) {
    out[k] = v instanceof Error ? { message: v.message, stack: v.stack } : v
  }
  return out
}

/** The process-wide logger, configured from LOG_LEVEL and LOG_FORMAT. */
export const log = createLogger({ level: process.env.LOG_LEVEL, format: process.env.LOG_FORMAT })

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = createLogger({ level: 'error', write: () => {} })
