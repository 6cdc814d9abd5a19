import { PGlite } from '@electric-sql/pglite'
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist'
import { Kysely } from 'kysely'
import { closeSync, fdatasyncSync, openSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Observable, share } from 'rxjs'
import { channelFor, DatabaseUnavailableError, parseInt8, type Database } from './database.js'
import { lockDataDir } from './data-dir-lock.js'
import { privateFolder, privateTree } from './private-folder.js'
import { PGliteDialect } from './pglite-dialect.js'
import type { Tables } from './schema.js'

export interface PGliteOptions {
  /** A folder, created if missing, or `memory://` for a database that lives only in this process. */
  dataDir: string
  schema?: string
}

export async function openPGlite(options: PGliteOptions): Promise<Database> {
  const inMemory = options.dataDir.startsWith('memory://')
  const dataDir = inMemory ? options.dataDir : resolve(options.dataDir)
  let unlock = () => {}
  if (!inMemory) {
    try {
      privateFolder(dataDir)
    } catch (error) {
      throw new DatabaseUnavailableError(`cannot create the data folder ${dataDir}: ${(error as Error).message}`)
    }
    unlock = lockDataDir(dataDir)
  }

  let pglite: PGlite
  try {
    pglite = await PGlite.create({
      dataDir,
      extensions: { btree_gist },
      parsers: { 20: parseInt8 },
    })
    // Only now are PGlite's files on disk, several readable by anyone (private-folder.ts).
    if (!inMemory) privateTree(dataDir)
    await pglite.exec("set work_mem = '64MB'")
    if (options.schema) {
      await pglite.exec(`create schema if not exists "${options.schema}"; set search_path = "${options.schema}", public`)
    }
  } catch (error) {
    unlock()
    throw new DatabaseUnavailableError(
      `cannot open the embedded database in ${dataDir}: ${(error as Error).message ?? error} ` +
        '(is it a revkube data folder written by this version?)',
    )
  }

  const channel = channelFor(options.schema)
  const wakeups = new Observable<void>((subscriber) => {
    const stop = pglite.listen(channel, () => subscriber.next())
    return () => void stop.then((unlisten) => unlisten()).catch(() => {})
  }).pipe(share())

  const db = new Kysely<Tables>({ dialect: new PGliteDialect(pglite) })
  return {
    backend: 'pglite',
    db,
    reads: db,
    description: inMemory ? 'embedded PGlite in memory' : `embedded PGlite in ${dataDir}`,
    channel,
    wakeups,
    // PGlite runs PostgreSQL with fsync off: commits reach the operating system, not the disk.
    // Flushing the write-ahead log after each commit batch makes acknowledged writes durable.
    tryLock: async () => ({ lost: new Promise<void>(() => {}), release: async () => {} }),
    syncCommits: async (options) => {
      if (!inMemory) syncWal(join(dataDir, 'pg_wal'), options?.wholeLog ? Infinity : 2)
    },
    close: async () => {
      try {
        await pglite.close()
        // PostgreSQL writes some files at shutdown, and those it opened with fopen are 0644.
        if (!inMemory) privateTree(dataDir)
      } finally {
        unlock()
      }
    },
  }
}

/**
 * fdatasync the newest write-ahead log segments: two after a commit batch (a batch can straddle
 * two), every one after a bulk import (one transaction that may span many).
 */
function syncWal(walDir: string, newest: number): void {
  const segments = readdirSync(walDir)
    .filter((name) => /^[0-9A-F]{24}$/.test(name))
    .sort()
    .slice(-newest)
  for (const segment of segments) {
    const fd = openSync(join(walDir, segment), 'r+')
    try {
      fdatasyncSync(fd)
    } finally {
      closeSync(fd)
    }
  }
}
