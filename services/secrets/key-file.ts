import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { ConfigError } from '../config.js'
import type { EncryptionKey } from './keyring.js'

/** The key file's name in the data folder. */
export const KEY_FILE = 'encryption-keys.json'

const ABOUT =
  'revkube encryption keys: they seal the data of Secrets in the event log. Keep this file secret (mode 0600) and back it up ' +
  'apart from the database: without it the sealed values cannot be read. The first key is the primary; older keys open older values.'

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/

/**
 * The keys in a key file, the primary first; undefined if there is no file. A file that cannot be
 * read or is not a key file is a ConfigError naming the file and the problem.
 */
export function readKeyFile(path: string): EncryptionKey[] | undefined {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new ConfigError(`cannot read the encryption key file ${path}: ${(error as Error).message}`)
  }
  const bad = (problem: string) => new ConfigError(`the encryption key file ${path} ${problem}`)
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw bad('is not JSON')
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys
  if (!Array.isArray(keys) || keys.length === 0)
    throw bad('holds no "keys" (expected {"keys": [{"id": …, "key": "<base64 of 32 bytes>"}]})')
  const seen = new Set<string>()
  return keys.map((entry: unknown, i) => {
    const { id, key, created } = (entry ?? {}) as { id?: unknown; key?: unknown; created?: unknown }
    if (typeof id !== 'string' || !KEY_ID.test(id)) throw bad(`has an invalid id in keys[${i}] (1 to 64 letters, digits, ".", "_" or "-")`)
    if (seen.has(id)) throw bad(`lists the key id "${id}" twice`)
    seen.add(id)
    const bytes = typeof key === 'string' ? decodeKey(key) : undefined
    if (!bytes) throw bad(`has a key in keys[${i}] ("${id}") that is not the base64 of 32 bytes`)
    return { id, key: bytes, ...(typeof created === 'string' && { created }) }
  })
}

/**
 * Creates the key file with these keys, mode 0600 and flushed to disk before it is used, unless
 * one exists: then its keys win (two processes starting at once share the first one's keys).
 */
export function createKeyFile(path: string, keys: readonly EncryptionKey[]): EncryptionKey[] {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  const temporary = writeTemporary(path, keys)
  try {
    linkSync(temporary, path)
    syncDirectory(dirname(path))
    return [...keys]
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
      throw new ConfigError(`cannot create the encryption key file ${path}: ${(error as Error).message}`)
    return readKeyFile(path)!
  } finally {
    rmSync(temporary, { force: true })
  }
}

/** Replaces the key file with these keys atomically (a reader sees the old file or the new one). */
export function writeKeyFile(path: string, keys: readonly EncryptionKey[]): void {
  const temporary = writeTemporary(path, keys)
  try {
    renameSync(temporary, path)
  } catch (error) {
    rmSync(temporary, { force: true })
    throw error
  }
  syncDirectory(dirname(path))
}

/** base64 (standard or URL-safe, padding optional) of exactly 32 bytes, else undefined. */
export function decodeKey(text: string): Buffer | undefined {
  const trimmed = text.trim()
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) return undefined
  const bytes = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
  return bytes.length === 32 ? bytes : undefined
}

function writeTemporary(path: string, keys: readonly EncryptionKey[]): string {
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`
  const body = {
    about: ABOUT,
    keys: keys.map((k) => ({ id: k.id, key: k.key.toString('base64'), ...(k.created && { created: k.created }) })),
  }
  const fd = openSync(temporary, 'wx', 0o600)
  try {
    writeSync(fd, `${JSON.stringify(body, null, 2)}\n`)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  return temporary
}

function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r')
    try {
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
  } catch {
    // Not every platform can fsync a directory; the file itself is flushed.
  }
}
