import { keyringConfigFromEnv, openKeyring } from '../secrets/keyring-config.js'
import { openStore as openStoreWith, type Store, type StoreOptions } from '../store/store.js'

export interface OpenStoreOptions extends Omit<StoreOptions, 'keyring'> {
  /**
   * @default REVKUBE_ENCRYPTION_KEY when set, else `encryption-keys.json` in the data folder (the
   * PGlite folder; for PostgreSQL `dataDir`), created if missing; an ephemeral key for an in-memory
   * PGlite (services/secrets/keyring-config.ts)
   */
  keyring?: StoreOptions['keyring']
  /** The data folder the keyring's file lives in when the log is in PostgreSQL. @default $REVKUBE_DATA_DIR or ./data */
  dataDir?: string
}

/**
 * Opens the store with the keyring the environment names, as the server, the CLI's import and the
 * tools do: the store itself is given its keys and never reads the environment.
 *
 * @example
 * import { openStore } from './services/app/open-store.js'
 *
 * const store = await openStore({ database: { backend: 'pglite', dataDir: 'memory://' } })
 * console.log((await store.head()).revision) // 0
 * await store.close()
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const { dataDir, keyring, ...rest } = options
  if (keyring) return openStoreWith({ ...rest, keyring })
  // A malformed REVKUBE_ENCRYPTION_KEY fails before connecting; a key file is created only once the database answers.
  const env = dataDir ? { ...process.env, REVKUBE_DATA_DIR: dataDir } : process.env
  const config = keyringConfigFromEnv(env, options.database)
  return openStoreWith({ ...rest, keyring: () => openKeyring(config, options.log ? { log: options.log } : {}) })
}
