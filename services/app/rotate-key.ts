/**
 * `node --import tsx services/app/rotate-key.ts [--data-dir DIR]`: rotates the key that seals
 * Secrets in the log of the configured database ($DATABASE_URL, else the PGlite folder
 * $REVKUBE_DATA_DIR or ./data), as `Store.rotateEncryptionKey` does: a new primary key is added to
 * the key file, and the current objects are re-sealed under it. With REVKUBE_ENCRYPTION_KEY set,
 * put the new key first in it instead; this then only re-seals. Prints one line of JSON.
 *
 * PGlite: run it while the server is stopped (the data folder is locked). PostgreSQL: servers that
 * share the key file find the new key by themselves; others need it and a restart.
 */
import { configFromEnv, envWithFlags } from '../config.js'
import { log } from '../log.js'
import { openStore } from '../store/store.js'
import { keyringConfigFromEnv, openKeyring } from '../secrets/keyring-config.js'

try {
  const env = envWithFlags(process.argv.slice(2))
  const { database } = configFromEnv(env)
  const keyring = openKeyring(keyringConfigFromEnv(env, database), { log })
  const store = await openStore({ database, keyring, log })
  try {
    const result = keyring.source.kind === 'env' ? await store.resealCurrentObjects() : await store.rotateEncryptionKey()
    process.stdout.write(`${JSON.stringify({ ...result, keys: keyring.ids(), source: keyring.description })}\n`)
  } finally {
    await store.close()
  }
} catch (error) {
  process.stderr.write(`revkube: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
}
