import { describe, expect, it } from 'vitest'
import { createLogger, MAX_LOGGED_MESSAGE_CHARS } from '../../services/log.js'

/** What a database or validation error may look like: the object in its message and in its other properties. */
function errorCarrying(secret: string): Error {
  const error = new Error(
    `insert failed for ${JSON.stringify({ env: [{ name: 'DB_PASSWORD', value: secret }], filler: 'f'.repeat(10_000) })}`,
  )
  return Object.assign(error, { detail: `Failing row contains (${secret})`, object: { value: secret } })
}

describe('errors in log lines', () => {
  it.each(['json', 'text'])('carry their type, frames and message cut short, never their other properties (%s)', (format) => {
    const lines: string[] = []
    const log = createLogger({ format, level: 'debug', write: (line) => lines.push(line) })
    const secret = 's3cret-'.padEnd(MAX_LOGGED_MESSAGE_CHARS + 100, 'x')
    log.error('append failed', { error: errorCarrying(secret) })

    expect(lines).toHaveLength(1)
    expect(lines[0]).not.toContain(secret)
    expect(lines[0]).not.toContain('Failing row')
    expect(lines[0]).toContain('insert failed for')
    expect(lines[0]).toContain('...(truncated)')
    expect(lines[0]).toMatch(/at .*error-logs\.test\.ts/)
    expect(lines[0]!.length).toBeLessThan(MAX_LOGGED_MESSAGE_CHARS + 2048)
  })

  it('carry a cause the same way', () => {
    const lines: string[] = []
    const log = createLogger({ format: 'json', write: (line) => lines.push(line) })
    log.error('request failed', { error: new Error('could not store the object', { cause: errorCarrying('hunter2'.repeat(100)) }) })
    const { error } = JSON.parse(lines[0]!)
    expect(error).toMatchObject({ type: 'Error', message: 'could not store the object', cause: { type: 'Error' } })
    expect(error.cause.message.length).toBeLessThanOrEqual(MAX_LOGGED_MESSAGE_CHARS + '...(truncated)'.length)
    expect(lines[0]).not.toContain('hunter2'.repeat(100))
  })
})
