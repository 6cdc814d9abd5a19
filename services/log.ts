/**
 * Structured logs on stderr: `text` (the default, for a terminal) or pino's NDJSON (LOG_FORMAT=json:
 * `{"level":30,"time":…,"pid":…,"hostname":…,"msg":…}` plus the fields), filtered by LOG_LEVEL
 * (debug, info, warn, error; default info).
 */
import { pino, type Logger as PinoLogger } from 'pino'
import { truncate } from './errors.js'

type Level = 'debug' | 'info' | 'warn' | 'error'
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
  child(fields: Record<string, unknown>): Logger
}

export interface LoggerOptions {
  /** debug, info, warn or error. @default 'info' */
  level?: string | undefined
  /** `json` for pino's NDJSON; anything else is text. @default 'text' */
  format?: string | undefined
  /** Where each line goes (without its newline). @default stderr, written synchronously so a line logged just before exit is not lost */
  write?: (line: string) => void
}

export function createLogger(options: LoggerOptions = {}, context: Record<string, unknown> = {}): Logger {
  const level: Level = options.level && options.level in order ? (options.level as Level) : 'info'
  if (options.format === 'json') return jsonLogger(level, options.write, context)
  return textLogger(level, options.write ?? ((line) => process.stderr.write(`${line}\n`)), context)
}

function jsonLogger(level: Level, write: ((line: string) => void) | undefined, context: Record<string, unknown>): Logger {
  const destination = write
    ? { write: (chunk: string) => write(chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk) }
    : pino.destination({ dest: 2, sync: true })
  const root = pino({ level, serializers: { error: loggableError } }, destination)
  return wrapPino(Object.keys(context).length > 0 ? root.child(context) : root)
}

function wrapPino(logger: PinoLogger): Logger {
  return {
    debug: (m, f) => (f ? logger.debug(f, m) : logger.debug(m)),
    info: (m, f) => (f ? logger.info(f, m) : logger.info(m)),
    warn: (m, f) => (f ? logger.warn(f, m) : logger.warn(m)),
    error: (m, f) => (f ? logger.error(f, m) : logger.error(m)),
    child: (fields) => wrapPino(logger.child(fields)),
  }
}

/** `2026-11-26T14:02:00.000Z INFO  message key="value" n=3`, as Kubernetes' text format pairs keys and values. */
function textLogger(level: Level, write: (line: string) => void, context: Record<string, unknown>): Logger {
  const min = order[level]
  const emit = (at: Level, message: string, fields: Record<string, unknown> = {}) => {
    if (order[at] < min) return
    const pairs = Object.entries(serialisable({ ...context, ...fields })).map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    write([new Date().toISOString(), at.toUpperCase().padEnd(5), message, ...pairs].join(' '))
  }
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => textLogger(level, write, { ...context, ...fields }),
  }
}

function serialisable(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(fields)) {
    out[k] = v instanceof Error ? loggableError(v) : v
  }
  return out
}

/** The longest error message a log line carries. */
export const MAX_LOGGED_MESSAGE_CHARS = 300

/**
 * An error as every log line writes it: its type, its message cut to
 * {@link MAX_LOGGED_MESSAGE_CHARS}, the frames of its stack (not its first line, which repeats the
 * message) and its cause likewise. Nothing else: a message may quote an object, Secrets' values
 * included, and database and validation errors carry the object in other properties. A value that
 * is not an Error is logged as text, cut the same way.
 */
export function loggableError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return typeof error === 'string' ? truncate(error, MAX_LOGGED_MESSAGE_CHARS) : error
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line))
  return {
    type: error.name,
    message: truncate(error.message, MAX_LOGGED_MESSAGE_CHARS),
    stack: frames.join('\n'),
    ...(error.cause !== undefined && depth < 3 && { cause: loggableError(error.cause, depth + 1) }),
  }
}

/** The process-wide logger, configured from LOG_LEVEL and LOG_FORMAT. */
export const log = createLogger({ level: process.env.LOG_LEVEL, format: process.env.LOG_FORMAT })

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = createLogger({ level: 'error', write: () => {} })
