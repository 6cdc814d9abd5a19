import { statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ConfigError, type DatabaseConfig } from '../config.js'
import { silentLogger, type Logger } from '../log.js'
import { createKeyFile, decodeKey, KEY_FILE, readKeyFile } from './key-file.js'
import { ephemeralKeyring, Keyring, keyId, newKey, type EncryptionKey } from './keyring.js'

/** The variable that holds the encryption keys; it wins over the key file. */
export const KEY_VARIABLE = 'REVKUBE_ENCRYPTION_KEY'

/** Where the keys that seal Secrets come from. */
export type KeyringConfig =
  /** From REVKUBE_ENCRYPTION_KEY, the primary first. */
  | { source: 'env'; keys: EncryptionKey[] }
  /** A key file, created with one new key if missing. */
  | { source: 'file'; path: string }
  /** One random key for this process only (an in-memory database). */
  | { source: 'ephemeral' }

/**
 * Where a server on this database gets its keys: REVKUBE_ENCRYPTION_KEY when set (a malformed
 * value is a ConfigError), else `encryption-keys.json` in the data folder — the PGlite folder,
 * or for PostgreSQL $REVKUBE_DATA_DIR or ./data, which then holds only the keys. An in-memory
 * PGlite database gets an ephemeral key.
 */
export function keyringConfigFromEnv(env: NodeJS.ProcessEnv, database: DatabaseConfig): KeyringConfig {
  const value = env[KEY_VARIABLE]?.trim()
  if (value) return { source: 'env', keys: parseEncryptionKeys(value) }
  if (database.backend === 'pglite') {
    if (database.dataDir.startsWith('memory://')) return { source: 'ephemeral' }
    return { source: 'file', path: join(resolve(database.dataDir), KEY_FILE) }
  }
  return { source: 'file', path: join(resolve(env.REVKUBE_DATA_DIR?.trim() || './data'), KEY_FILE) }
}

/**
 * Parses REVKUBE_ENCRYPTION_KEY: the base64 of 32 random bytes, or several comma-separated keys
 * as `id:base64` (or bare base64, whose id is derived from the key), the primary first. Errors
 * name the entry, never its value.
 */
export function parseEncryptionKeys(value: string): EncryptionKey[] {
  const entries = value.split(',').map((e) => e.trim())
  const fail = (problem: string) =>
    new ConfigError(
      `${KEY_VARIABLE} ${problem} (expected the base64 of 32 random bytes, e.g. from "openssl rand -base64 32", or id:base64,… with the primary first)`,
    )
  const keys: EncryptionKey[] = []
  entries.forEach((entry, i) => {
    const which = entries.length > 1 ? `key ${i + 1}` : 'the key'
    if (entry === '') throw fail(`has an empty entry at position ${i + 1}`)
    const colon = entry.indexOf(':')
    const id = colon < 0 ? undefined : entry.slice(0, colon).trim()
    const key = decodeKey(colon < 0 ? entry : entry.slice(colon + 1))
    if (id !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(id))
      throw fail(`has an invalid id for ${which}: ids are 1 to 64 letters, digits, ".", "_" or "-"`)
    if (!key) throw fail(`is malformed: ${which} is not the base64 of exactly 32 bytes`)
    const entryId = id ?? keyId(key)
    if (keys.some((k) => k.id === entryId)) throw fail(`lists the key id "${entryId}" twice`)
    keys.push({ id: entryId, key })
  })
  return keys
}

/**
 * Opens the keyring a configuration names. A missing key file is created with one new key (mode
 * 0600); a file that other users can read is used, with a warning.
 */
export function openKeyring(config: KeyringConfig, options: { log?: Logger } = {}): Keyring {
  const log = options.log ?? silentLogger
  if (config.source === 'ephemeral') return ephemeralKeyring()
  if (config.source === 'env') return new Keyring(config.keys, { kind: 'env', variable: KEY_VARIABLE })
  let keys = readKeyFile(config.path)
  if (!keys) {
    keys = createKeyFile(config.path, [newKey()])
    log.info('created an encryption key file for sealed Secrets: back it up apart from the database', { path: config.path })
  } else if (process.platform !== 'win32' && (statSync(config.path).mode & 0o077) !== 0) {
    log.warn('the encryption key file can be read by other users; run chmod 600 on it', { path: config.path })
  }
  return new Keyring(keys, { kind: 'file', path: config.path })
}
