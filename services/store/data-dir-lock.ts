import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseUnavailableError } from './database.js'

/**
 * Claims a data folder for this process: PGlite has no locking of its own, and two processes
 * writing one folder would corrupt it. A lock left by a process that died is taken over.
 * Returns the function that releases the claim.
 */
export function lockDataDir(dataDir: string): () => void {
  if (heldHere.has(dataDir)) {
    throw new DatabaseUnavailableError(`the data folder ${dataDir} is already open in this process`)
  }
  const file = join(dataDir, 'revkube.pid')
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 })
      heldHere.add(dataDir)
      return () => {
        heldHere.delete(dataDir)
        rmSync(file, { force: true })
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new DatabaseUnavailableError(`cannot use the data folder ${dataDir}: ${(error as Error).message}`)
      }
      const pid = Number(readFileSync(file, 'utf8').trim())
      if (pid && pid !== process.pid && alive(pid)) {
        throw new DatabaseUnavailableError(
          `the data folder ${dataDir} is in use by another revkube process (pid ${pid}); ` + 'stop it, or use another REVKUBE_DATA_DIR',
        )
      }
      rmSync(file, { force: true })
    }
  }
  throw new DatabaseUnavailableError(`cannot lock the data folder ${dataDir}`)
}

/** Folders this process holds; a lock file with our own pid but not listed here is stale (pid reuse). */
const heldHere = new Set<string>()

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
