import { resolve } from 'node:path'
import type { Config } from '../config.js'
import type { Logger } from '../log.js'
import { DatabaseUnavailableError } from './database.js'
import { octal, privateFolder } from './private-folder.js'

/**
 * The folders a server keeps its state in, made private (0700) before anything is written there:
 * the PGlite folder, and the data folder of the admin token and keys (for PostgreSQL too). A folder
 * that let other users in is tightened, and the log says so.
 */
export function secureDataFolders(config: Config, log: Logger): void {
  const folders = new Set<string>()
  if (config.database.backend === 'pglite' && !config.database.dataDir.startsWith('memory://'))
    folders.add(resolve(config.database.dataDir))
  if (config.dataDir) folders.add(resolve(config.dataDir))
  for (const folder of folders) {
    let was: number | undefined
    try {
      was = privateFolder(folder)
    } catch (error) {
      throw new DatabaseUnavailableError(`cannot create the data folder ${folder}: ${(error as Error).message}`)
    }
    if (was !== undefined) log.warn(`the data folder was open to other users (${octal(was)}); it is now private (0700)`, { path: folder })
  }
}
