import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The data folder holds the log, the admin token and the keys: only its owner may enter it. Folders
 * are 0700 and files 0600, whatever the process umask; on Windows modes mean nothing and are left be.
 */

export const FOLDER_MODE = 0o700
export const FILE_MODE = 0o600
const enforced = process.platform !== 'win32'

/**
 * Creates `dir` (and missing parents) with mode 0700, or makes an existing one 0700. Returns the
 * mode it had when that let other users in, for the caller to say so; undefined otherwise.
 */
export function privateFolder(dir: string): number | undefined {
  mkdirSync(dir, { recursive: true, mode: FOLDER_MODE })
  if (!enforced) return undefined
  const mode = statSync(dir).mode & 0o777
  if (mode === FOLDER_MODE) return undefined
  chmodSync(dir, FOLDER_MODE)
  return (mode & 0o077) === 0 ? undefined : mode
}

/**
 * Makes every folder under `dir` (itself included) 0700 and every file 0600. PGlite needs it: its
 * Emscripten file system sets each file's mode itself after creating it (0666 for the files of the
 * initial data directory it unpacks, 0644 for those PostgreSQL opens with fopen), so no umask helps.
 */
export function privateTree(dir: string): void {
  if (!enforced) return
  chmodSync(dir, FOLDER_MODE)
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    try {
      if (entry.isDirectory()) chmodSync(join(entry.parentPath, entry.name), FOLDER_MODE)
      else if (entry.isFile()) chmodSync(join(entry.parentPath, entry.name), FILE_MODE)
    } catch (error) {
      // PostgreSQL removes files as it goes (old WAL segments, temporary files).
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
  }
}

/** `0755`: a mode as `ls -l` users write it. */
export const octal = (mode: number): string => `0${(mode & 0o777).toString(8)}`
