import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { runWhenLeader } from '../../services/runtime/leader-election.js'
import { silentLogger } from '../../services/log.js'
import { openDatabase } from '../../services/store/open-database.js'
import { backend, databaseUrl, dropSchema, uniqueSchema } from '../support/store.js'
import { waitFor } from '../support/wait.js'

describe(`leader election (${backend})`, () => {
  it.runIf(backend === 'pglite')('always leads on the embedded database, which has one process', async () => {
    const database = await openDatabase({ backend: 'pglite', dataDir: 'memory://' })
    let led = 0
    const leadership = runWhenLeader(database, async () => (led++, async () => {}), { log: silentLogger })
    await waitFor(() => leadership.leading, 'leadership')
    await leadership.stop()
    await database.close()
    expect(led).toBe(1)
  })

  it.runIf(databaseUrl)('lets one process lead at a time, and another take over when it dies', async () => {
    const schema = uniqueSchema('leader')
    const config = { backend: 'postgres' as const, url: databaseUrl!, schema }
    const [a, b] = await Promise.all([openDatabase(config), openDatabase(config)])
    try {
      const first = await a.tryLock('controllers')
      expect(first).toBeDefined()
      expect(await b.tryLock('controllers')).toBeUndefined()

      // The holder's connection dies: PostgreSQL releases the lock, and the holder learns it lost it.
      await sql`select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and granted and pid <> pg_backend_pid()
        and objid = (hashtextextended(${`${schema}:controllers`}, 0) & x'ffffffff'::bigint)::oid`.execute(b.db)
      await first!.lost
      const second = await b.tryLock('controllers')
      expect(second).toBeDefined()
      await second!.release()

      const running: string[] = []
      const lead = (who: string) => async () => {
        running.push(who)
        return async () => void running.splice(running.indexOf(who), 1)
      }
      const la = runWhenLeader(a, lead('a'), { name: 'work', retryMs: 50, log: silentLogger })
      await waitFor(() => running.length === 1, 'a leader')
      const lb = runWhenLeader(b, lead('b'), { name: 'work', retryMs: 50, log: silentLogger })
      await new Promise((r) => setTimeout(r, 300))
      expect(running).toEqual(['a'])
      await la.stop()
      await waitFor(() => running.join() === 'b', 'b to take over')
      await lb.stop()
    } finally {
      await a.close()
      await b.close()
      await dropSchema(databaseUrl!, schema)
    }
  })
})
