import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConfigError } from '../../services/config.js'
import { KEY_FILE } from '../../services/secrets/key-file.js'
import { keyringConfigFromEnv, openKeyring, parseEncryptionKeys } from '../../services/secrets/keyring-config.js'
import { keyId } from '../../services/secrets/keyring.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'revkube-keys-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const pglite = (dataDir: string) => ({ backend: 'pglite' as const, dataDir })
const postgres = { backend: 'postgres' as const, url: 'postgres://postgres@127.0.0.1:5432/test' }
const b64 = () => randomBytes(32).toString('base64')

describe('the keyring', () => {
  it('creates the key file in the data folder on first start with mode 0600 and one 256-bit key', () => {
    const dataDir = join(dir, 'data')
    const config = keyringConfigFromEnv({}, pglite(dataDir))
    expect(config).toEqual({ source: 'file', path: join(dataDir, KEY_FILE) })
    const keyring = openKeyring(config)
    const file = join(dataDir, KEY_FILE)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const stored = JSON.parse(readFileSync(file, 'utf8'))
    expect(stored.keys).toHaveLength(1)
    expect(Buffer.from(stored.keys[0].key, 'base64')).toHaveLength(32)
    expect(stored.keys[0].id).toBe(keyring.primary.id)
    expect(keyring.primary.id).toBe(keyId(keyring.primary.key))
  })

  it('reads the same key file on the next start', () => {
    const config = keyringConfigFromEnv({}, pglite(dir))
    const first = openKeyring(config)
    const second = openKeyring(config)
    expect(second.primary.id).toBe(first.primary.id)
    expect(second.primary.key.equals(first.primary.key)).toBe(true)
  })

  it('keeps the keys of PostgreSQL in $REVKUBE_DATA_DIR (else ./data) and gives an in-memory database an ephemeral key', () => {
    expect(keyringConfigFromEnv({ REVKUBE_DATA_DIR: dir }, postgres)).toEqual({ source: 'file', path: join(dir, KEY_FILE) })
    expect(keyringConfigFromEnv({}, postgres)).toEqual({ source: 'file', path: join(process.cwd(), 'data', KEY_FILE) })
    expect(keyringConfigFromEnv({}, pglite('memory://'))).toEqual({ source: 'ephemeral' })
    const a = openKeyring({ source: 'ephemeral' })
    const b = openKeyring({ source: 'ephemeral' })
    expect(a.primary.id).not.toBe(b.primary.id)
  })

  it('takes REVKUBE_ENCRYPTION_KEY over the key file, and does not create the file', () => {
    const key = b64()
    writeFileSync(join(dir, KEY_FILE), JSON.stringify({ keys: [{ id: 'from-file', key: b64() }] }), { mode: 0o600 })
    const config = keyringConfigFromEnv({ REVKUBE_ENCRYPTION_KEY: key }, pglite(dir))
    const keyring = openKeyring(config)
    expect(keyring.primary.key.equals(Buffer.from(key, 'base64'))).toBe(true)
    expect(keyring.key('from-file')).toBeUndefined()
    expect(keyring.description).toBe('REVKUBE_ENCRYPTION_KEY')

    const other = join(dir, 'other')
    openKeyring(keyringConfigFromEnv({ REVKUBE_ENCRYPTION_KEY: key }, pglite(other)))
    expect(existsSync(join(other, KEY_FILE))).toBe(false)
  })

  it('gives a bare key the id derived from it, the same in the file and in the variable', () => {
    const key = randomBytes(32)
    const [parsed] = parseEncryptionKeys(key.toString('base64'))
    expect(parsed!.id).toBe(keyId(key))
    expect(parseEncryptionKeys(key.toString('base64url'))[0]!.key.equals(key)).toBe(true)
  })

  it('reads several id:base64 keys for rotation, the first the primary', () => {
    const [k2, k1] = [b64(), b64()]
    const keyring = openKeyring(keyringConfigFromEnv({ REVKUBE_ENCRYPTION_KEY: ` k2:${k2} , k1:${k1}` }, postgres))
    expect(keyring.ids()).toEqual(['k2', 'k1'])
    expect(keyring.key('k1')!.equals(Buffer.from(k1, 'base64'))).toBe(true)
  })

  it('reports a malformed REVKUBE_ENCRYPTION_KEY as a one-line ConfigError that does not repeat the key', () => {
    const short = randomBytes(16).toString('base64')
    for (const [value, problem] of [
      [short, /the key is not the base64 of exactly 32 bytes/],
      ['not base64 at all!', /the key is not the base64/],
      [`a:${b64()},a:${b64()}`, /lists the key id "a" twice/],
      [`${b64()},`, /empty entry at position 2/],
      [`bad id!:${b64()}`, /invalid id for the key/],
      [`k2:${b64()},k1:${short}`, /key 2 is not the base64 of exactly 32 bytes/],
    ] as const) {
      let error: unknown
      try {
        keyringConfigFromEnv({ REVKUBE_ENCRYPTION_KEY: value }, postgres)
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(ConfigError)
      const message = (error as Error).message
      expect(message).toMatch(/^REVKUBE_ENCRYPTION_KEY /)
      expect(message).toMatch(problem)
      expect(message).not.toContain('\n')
      expect(message).not.toContain(short)
    }
  })

  it('reports a broken key file as a one-line ConfigError naming the file', () => {
    const file = join(dir, KEY_FILE)
    for (const [body, problem] of [
      ['{', /is not JSON/],
      ['{"keys": []}', /holds no "keys"/],
      [
        JSON.stringify({ keys: [{ id: 'a', key: randomBytes(16).toString('base64') }] }),
        /keys\[0\] \("a"\) that is not the base64 of 32 bytes/,
      ],
    ] as const) {
      writeFileSync(file, body, { mode: 0o600 })
      const error = (() => {
        try {
          openKeyring({ source: 'file', path: file })
        } catch (e) {
          return e
        }
      })()
      expect(error).toBeInstanceOf(ConfigError)
      expect((error as Error).message).toContain(file)
      expect((error as Error).message).toMatch(problem)
      expect((error as Error).message).not.toContain('\n')
    }
  })

  it('rotates a file keyring: the new key is written first, the old ones kept, the mode still 0600', () => {
    const config = keyringConfigFromEnv({}, pglite(dir))
    const keyring = openKeyring(config)
    const old = keyring.primary
    const added = keyring.addPrimaryKey()
    expect(keyring.ids()).toEqual([added.id, old.id])
    const file = join(dir, KEY_FILE)
    expect(JSON.parse(readFileSync(file, 'utf8')).keys.map((k: { id: string }) => k.id)).toEqual([added.id, old.id])
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(openKeyring(config).primary.id).toBe(added.id)
  })

  it('finds a key another process added to the key file without a restart', () => {
    const config = keyringConfigFromEnv({}, pglite(dir))
    const here = openKeyring(config)
    const there = openKeyring(config)
    const added = there.addPrimaryKey()
    expect(here.key(added.id)!.equals(added.key)).toBe(true)
  })

  it('refuses to rotate keys that come from the environment, saying what to do instead', () => {
    const keyring = openKeyring(keyringConfigFromEnv({ REVKUBE_ENCRYPTION_KEY: b64() }, postgres))
    expect(() => keyring.addPrimaryKey()).toThrow(/put a new key first in it/)
  })

  it('warns about a key file other users can read, and still uses it', () => {
    const config = keyringConfigFromEnv({}, pglite(dir))
    const id = openKeyring(config).primary.id
    chmodSync(join(dir, KEY_FILE), 0o644)
    const warnings: string[] = []
    const log = { debug() {}, info() {}, error() {}, warn: (m: string) => warnings.push(m), child: () => log }
    expect(openKeyring(config, { log }).primary.id).toBe(id)
    expect(warnings).toEqual([expect.stringContaining('chmod 600')])
  })
})
