import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FIELD_CHARS, MESSAGE_CHARS } from '../../services/audit/rejections.js'
import { defaultLimits } from '../../services/limits.js'
import { revkube } from '../support/cli.js'
import { whileLive } from '../support/liveness.js'
import { startSecureServer, type SecureServer } from '../support/secure-server.js'
import { backend } from '../support/store.js'
import { waitFor } from '../support/wait.js'

/**
 * Refused requests are kept for audit without letting anonymous clients grow the table: every
 * field is cut short, repeats from one client are counted on one row per minute, and rows older
 * than the retention are deleted.
 */
let s: SecureServer

beforeAll(async () => {
  s = await startSecureServer({})
})

afterAll(async () => s?.close())

interface Row {
  count: number
  user_agent: string | null
  request_id: string | null
  message: string
  operation: string | null
}

async function rows(server: SecureServer): Promise<Row[]> {
  const db = server.server.store.database.db
  return (await sql<Row>`select count, user_agent, request_id, message, operation from rejected_requests order by id`.execute(db)).rows
}

/** `n` token-less requests with a user agent and request id of about 7 KB each, 20 at a time. */
async function anonymousFlood(server: SecureServer, n: number): Promise<number[]> {
  const statuses: number[] = []
  for (let sent = 0; sent < n; sent += 20) {
    const batch = Array.from({ length: Math.min(20, n - sent) }, async (_, i) => {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': `flood-${sent + i}-${'u'.repeat(7_000)}`,
          'x-request-id': `${sent + i}-${'r'.repeat(7_000)}`,
        },
        body: JSON.stringify({ query: '{ revision { revision } }' }),
      })
      await response.arrayBuffer()
      return response.status
    })
    statuses.push(...(await Promise.all(batch)))
  }
  return statuses
}

describe(`the audit table of refused requests (${backend})`, () => {
  it('adds a bounded number of small rows for 1,000 token-less requests with huge headers, counting them', async () => {
    const statuses = await whileLive(s.server.url, () => anonymousFlood(s, 1_000))
    expect(statuses.every((status) => status === 401)).toBe(true)

    // The audit query writes what is held in memory before it reads.
    const listed = (await s.admin('{ audit(first: 10000) { outcome operation userAgent requestId status count } }')).audit as Array<
      Record<string, any>
    >
    const refused = listed.filter((e) => e.outcome === 'unauthenticated')
    // One row per minute the flood spanned (at most a few), holding every request.
    expect(refused.length).toBeGreaterThanOrEqual(1)
    expect(refused.length).toBeLessThanOrEqual(3)
    expect(refused.reduce((sum, e) => sum + e.count, 0)).toBe(1_000)
    expect(refused[0]).toMatchObject({ operation: 'POST /graphql', status: 401 })

    const stored = await rows(s)
    expect(stored.length).toBeLessThanOrEqual(3)
    for (const row of stored) {
      expect(row.user_agent!.length).toBeLessThanOrEqual(FIELD_CHARS)
      expect(row.request_id!.length).toBeLessThanOrEqual(FIELD_CHARS)
      expect(row.message.length).toBeLessThanOrEqual(MESSAGE_CHARS)
    }
  })

  it('shows the count in revkube audit', async () => {
    const result = await revkube(s.server.url, ['audit', '--token', s.tokens.admin!])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^TIME\s+OUTCOME\s+USER\s+OPERATION\s+OBJECT\s+REVISION\/STATUS\s+COUNT\s+MESSAGE\n/)
    expect(result.stdout).toMatch(/\sunauthenticated\s+<unknown>\s+POST \/graphql\s+401\s+\d+\s+Unauthorized/)
  })

  it('deletes rows older than the retention', async () => {
    const short = await startSecureServer({}, { limits: { ...defaultLimits, auditRetentionMs: 3_000 } })
    try {
      await anonymousFlood(short, 40)
      const listed = (await short.admin('{ audit { outcome count } }')).audit as Array<{ outcome: string; count: number }>
      expect(listed.map((e) => e.outcome)).toContain('unauthenticated')
      expect(listed.reduce((sum, e) => sum + e.count, 0)).toBe(40)
      await waitFor(async () => (await rows(short)).length === 0, 'the refused requests to pass their retention and go', 10_000)
      expect((await short.admin('{ audit { outcome } }')).audit).toEqual([])
    } finally {
      await short.close()
    }
  })
})
