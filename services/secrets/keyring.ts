import { createHmac, randomBytes } from 'node:crypto'
import { readKeyFile, writeKeyFile } from './key-file.js'

/** One AES-256 key and the id that sealed values name it by. */
export interface EncryptionKey {
  id: string
  /** 32 bytes. */
  key: Buffer
  /** When it was made (ISO 8601), if known. */
  created?: string
}

/** Where a keyring's keys come from; only a key file can take a new key. */
export type KeySource = { kind: 'file'; path: string } | { kind: 'env'; variable: string } | { kind: 'ephemeral' }

/** How long a file keyring waits before it reads its file again for a key id it does not know. */
const RELOAD_INTERVAL_MS = 1000

/**
 * The keys that seal sensitive fields (sealing.ts): the first is the primary, which seals every
 * new value; the others only open values sealed before a rotation. Open one with `openKeyring`
 * (keyring-config.ts), or `ephemeralKeyring()` for a database that lives only in memory.
 */
export class Keyring {
  private keys: EncryptionKey[]
  private byId: Map<string, EncryptionKey>
  private reloadedAt = 0

  constructor(
    keys: readonly EncryptionKey[],
    readonly source: KeySource,
  ) {
    if (keys.length === 0) throw new Error('a keyring needs at least one key')
    this.keys = [...keys]
    this.byId = new Map(keys.map((k) => [k.id, k]))
  }

  /** The key new values are sealed with. */
  get primary(): EncryptionKey {
    return this.keys[0]!
  }

  /** Every key id, the primary first. */
  ids(): string[] {
    return this.keys.map((k) => k.id)
  }

  /** For messages: "REVKUBE_ENCRYPTION_KEY", "the key file /data/encryption-keys.json", … */
  get description(): string {
    const s = this.source
    return s.kind === 'file' ? `the key file ${s.path}` : s.kind === 'env' ? s.variable : 'an ephemeral key (in memory only)'
  }

  /**
   * The key with this id. A file keyring that does not know the id reads its file again (at most
   * once a second), so a key another process added by rotating is found without a restart.
   */
  key(id: string): Buffer | undefined {
    const found = this.byId.get(id)
    if (found || this.source.kind !== 'file') return found?.key
    const now = Date.now()
    if (now - this.reloadedAt < RELOAD_INTERVAL_MS) return undefined
    this.reloadedAt = now
    try {
      const fresh = readKeyFile(this.source.path)
      if (fresh) this.replace(fresh)
    } catch {
      // The file broke after start-up: keep the keys already read.
    }
    return this.byId.get(id)?.key
  }

  /**
   * Makes a new random key the primary and keeps the others for reading. A key file is rewritten
   * (atomically, mode 0600) before the key is used; keys from the environment cannot be added to
   * here — put the new key first in the variable and restart instead.
   */
  addPrimaryKey(): EncryptionKey {
    if (this.source.kind === 'env') {
      throw new Error(
        `the encryption keys come from ${this.source.variable}: put a new key first in it (id:base64,…), restart, then re-seal the current objects`,
      )
    }
    const added = newKey()
    if (this.source.kind === 'file') {
      const onDisk = readKeyFile(this.source.path) ?? []
      const keep = [...onDisk, ...this.keys.filter((k) => !onDisk.some((d) => d.id === k.id))]
      writeKeyFile(this.source.path, [added, ...keep])
      this.replace([added, ...keep])
    } else {
      this.replace([added, ...this.keys])
    }
    return added
  }

  private replace(keys: EncryptionKey[]): void {
    const known = new Map(keys.map((k) => [k.id, k]))
    // A key this process used stays readable even if the file lost it.
    for (const k of this.keys) if (!known.has(k.id)) known.set(k.id, k)
    this.keys = [...known.values()]
    this.byId = known
  }
}

/** A keyring of one random key that lives as long as the process: for in-memory databases and tests. */
export function ephemeralKeyring(): Keyring {
  return new Keyring([newKey()], { kind: 'ephemeral' })
}

/** A new random 256-bit key, with its id. */
export function newKey(): EncryptionKey {
  const key = randomBytes(32)
  return { id: keyId(key), key, created: new Date().toISOString() }
}

/**
 * The id of a key that was given none: derived from the key (an HMAC, which reveals nothing of
 * it), so the same key has the same id in a key file and in REVKUBE_ENCRYPTION_KEY.
 */
export function keyId(key: Buffer): string {
  return `k${createHmac('sha256', key).update('revkube encryption key id').digest('hex').slice(0, 12)}`
}
