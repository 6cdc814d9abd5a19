import type { KubeObject } from '../../services/resources/kind-types.js'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Environment } from '../../services/api/context.js'
import { bootstrapNamespaces } from '../../services/api/namespaces.js'
import { ResourceApi } from '../../services/api/resource-api.js'
import type { DatabaseConfig } from '../../services/config.js'
import { isStatusError } from '../../services/errors.js'
import { createLogger } from '../../services/log.js'
import type { JsonObject } from '../../services/json.js'
import { KEY_FILE } from '../../services/secrets/key-file.js'
import { UNREADABLE_ANNOTATION } from '../../services/secrets/sealing.js'
import { startServer } from '../../services/app/server.js'
import { openStore } from '../../services/app/open-store.js'
import { getObject } from '../../projections/cluster-state.js'
import { Projection } from '../../projections/projection.js'
import { backend, databaseUrl, dropSchema, uniqueSchema } from '../support/store.js'

let dir: string
let database: DatabaseConfig
let keyFile: string
const saved = { dataDir: process.env.REVKUBE_DATA_DIR, key: process.env.REVKUBE_ENCRYPTION_KEY }
let uids = 0
const env: Environment = {
  now: () => new Date('2026-11-26T10:00:00Z'),
  newUid: () => `00000000-0000-4000-8000-${String(++uids).padStart(12, '0')}`,
  randomSuffix: () => 'x7k2p',
}
const alice = { actor: 'alice' }
const b64 = (text: string) => Buffer.from(text).toString('base64')
const annotations = (o: KubeObject) => o.metadata?.annotations ?? {}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'revkube-lost-key-'))
  // The keys live in the data folder: the PGlite folder, or for PostgreSQL $REVKUBE_DATA_DIR.
  process.env.REVKUBE_DATA_DIR = join(dir, 'data')
  delete process.env.REVKUBE_ENCRYPTION_KEY
  database = databaseUrl
    ? { backend: 'postgres', url: databaseUrl, schema: uniqueSchema() }
    : { backend: 'pglite', dataDir: join(dir, 'data') }
  keyFile = join(dir, 'data', KEY_FILE)
})
afterAll(async () => {
  process.env.REVKUBE_DATA_DIR = saved.dataDir
  if (saved.key !== undefined) process.env.REVKUBE_ENCRYPTION_KEY = saved.key
  if (!saved.dataDir) delete process.env.REVKUBE_DATA_DIR
  if (database.backend === 'postgres' && database.schema) await dropSchema(database.url, database.schema)
  rmSync(dir, { recursive: true, force: true })
})

describe(`a lost key file (${backend})`, () => {
  it('is created in the data folder with mode 0600 when the store first opens', async () => {
    const store = await openStore({ database })
    try {
      expect(statSync(keyFile).mode & 0o777).toBe(0o600)
      const api = new ResourceApi({ store, env })
      await bootstrapNamespaces(api)
      await api.create(alice, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'old', namespace: 'default' },
        data: { password: b64('sealed-before-loss') },
      })
      await api.create(alice, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'settings', namespace: 'default' },
        data: { mode: 'fast' },
      })
    } finally {
      await store.close()
    }
  })

  it('leaves every other object readable and marks Secrets sealed with the lost key; a new key takes over', async () => {
    const lostId = JSON.parse(readFileSync(keyFile, 'utf8')).keys[0].id
    rmSync(keyFile)
    const lines: string[] = []
    const store = await openStore({ database, log: createLogger({ level: 'warn', write: (line) => lines.push(line) }) })
    try {
      expect(JSON.parse(readFileSync(keyFile, 'utf8')).keys[0].id).not.toBe(lostId)
      const api = new ResourceApi({ store, env })
      expect((await api.get('configmaps', 'default', 'settings')).data).toEqual({ mode: 'fast' })
      const old = await api.get('secrets', 'default', 'old')
      expect(old.data).toBeUndefined()
      expect(annotations(old)[UNREADABLE_ANNOTATION]).toBe(`unreadable: key "${lostId}" is not in the keyring`)
      await api.list('secrets')
      expect(lines.filter((l) => l.includes(lostId))).toHaveLength(1)

      // Server-side readers: the projection loads every object, the Secret as its marker.
      const projection = await Projection.start(store)
      try {
        expect(getObject(projection.state, 'ConfigMap', 'default', 'settings')?.data).toEqual({ mode: 'fast' })
        expect(annotations(getObject(projection.state, 'Secret', 'default', 'old')!)[UNREADABLE_ANNOTATION]).toBeDefined()
      } finally {
        projection.stop()
      }

      // Writing the marker back would replace the sealed data with nothing: refused (an unchanged update writes nothing).
      const write = await api
        .update(alice, { ...old, metadata: { ...(old.metadata as JsonObject), labels: { touched: 'yes' } } })
        .catch((e) => e)
      expect(isStatusError(write, 'BadRequest')).toBe(true)
      const fresh = await api.create(alice, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'new', namespace: 'default' },
        data: { password: b64('sealed-after-loss') },
      })
      expect(Buffer.from(String((fresh.data as JsonObject).password), 'base64').toString()).toBe('sealed-after-loss')
      expect((await api.get('secrets', 'default', 'new')).data).toEqual({ password: b64('sealed-after-loss') })
    } finally {
      await store.close()
    }
  })

  it('does not keep the server from starting; it serves the other objects', async () => {
    const server = await startServer(
      { database, port: 0, host: '127.0.0.1', controllers: false, simNodes: 0 },
      createLogger({ level: 'error' }),
    )
    try {
      expect((await server.api.get('configmaps', 'default', 'settings')).data).toEqual({ mode: 'fast' })
      expect(annotations(await server.api.get('secrets', 'default', 'old'))[UNREADABLE_ANNOTATION]).toBeDefined()
      expect((await server.api.get('secrets', 'default', 'new')).data).toEqual({ password: b64('sealed-after-loss') })
      const ready = await fetch(`${server.url}/readyz`)
      expect(ready.status).toBe(200)
      await server.api.delete(alice, 'secrets', 'default', 'old')
    } finally {
      await server.stop()
    }
  })
})
