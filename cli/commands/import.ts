import type { DatabaseConfig } from '../../services/config.js'
import type { LogEvent } from '../../services/store/commands.js'
import type { Command, CommandContext } from '../command.js'
import { CliError } from '../errors.js'
import { parseLogLine } from '../log-lines.js'
import { Progress } from '../progress.js'

/** Events written per statement. */
const PAGE = 5000

export const importCommand: Command = {
  name: 'import',
  summary: 'Restore an exported event log into an empty database (offline, before a server starts on it)',
  usage: 'import [--data-dir DIR | --database-url URL [--schema NAME]] < log.ndjson',
  description: [
    'Reads the NDJSON of `revkube export` from standard input and writes it straight into the',
    'database, like etcdutl snapshot restore: every event keeps its revision, transaction, commit',
    'time and meta, and the current and as-of views are rebuilt as the server builds them. Start the',
    'server on the database afterwards; its next write is the revision after the last imported.',
    '',
    'The database must hold no log yet (a server started on it writes its bootstrap events at once,',
    'so import before the first start). Revisions must run 1, 2, 3, ... without a gap; a malformed',
    'or out-of-order line stops the import with its line number, and nothing is written.',
    '',
    'Without flags the database is the one the server would use: $DATABASE_URL (and',
    '$REVKUBE_DB_SCHEMA), else the PGlite folder $REVKUBE_DATA_DIR or ./data.',
  ].join('\n'),
  examples: [
    'revkube import --data-dir ./restored < log.ndjson',
    'revkube import --database-url postgres://postgres@127.0.0.1:5432/revkube < log.ndjson',
    'gunzip -c backup.ndjson.gz | revkube import --data-dir ./restored && revkube server --data-dir ./restored',
  ],
  local: true,
  flags: [
    { name: 'data-dir', type: 'string', value: 'DIR', help: 'an embedded PGlite data folder (created if missing)' },
    { name: 'database-url', type: 'string', value: 'URL', help: 'a PostgreSQL database, postgres://user@host:5432/db' },
    { name: 'schema', type: 'string', value: 'NAME', help: 'the PostgreSQL schema (default $REVKUBE_DB_SCHEMA, else the search_path)' },
  ],
  run: async (ctx) => {
    const started = performance.now()
    const database = await databaseOf(ctx)
    const { openStore } = await import('../../services/app/open-store.js')
    const { LogImportError } = await import('../../services/store/import-log.js')
    const store = await openStore({ database }).catch((error: unknown) => {
      throw new CliError(error instanceof Error ? error.message : String(error))
    })
    const progress = new Progress({
      mode: ctx.io.errIsTTY ? 'bar' : 'lines',
      write: ctx.io.err,
      doing: 'importing',
      did: 'imported',
      intervalMs: 5000,
    })
    const source = pagesOf(ctx)
    try {
      const result = await store.importLog(source.pages, { onProgress: (n) => progress.update(n) })
      progress.finish()
      if (result.events === 0) throw new CliError('standard input holds no events: pipe in the output of "revkube export"')
      const seconds = (performance.now() - started) / 1000
      ctx.io.out(
        `imported ${result.events.toLocaleString('en-US')} events (revisions 1–${result.head}) into ${store.database.description} ` +
          `in ${seconds.toFixed(1)} s; the next write will be revision ${result.head + 1}\n`,
      )
      return 0
    } catch (error) {
      progress.finish()
      if (error instanceof LogImportError) {
        const line = error.revision === undefined ? undefined : source.lineOf(error.revision)
        throw new CliError(line === undefined ? error.message : `line ${line}: ${error.message}`)
      }
      throw error
    } finally {
      await store.close()
    }
  },
}

/** The database the flags name, else the server's from the environment. */
async function databaseOf(ctx: CommandContext): Promise<DatabaseConfig> {
  const dataDir = ctx.flags['data-dir'] as string | undefined
  const url = ctx.flags['database-url'] as string | undefined
  if (dataDir !== undefined && url !== undefined)
    throw new CliError('--data-dir and --database-url cannot be combined: choose one database')
  if (dataDir !== undefined && ctx.flags.schema !== undefined) throw new CliError('--schema applies to PostgreSQL (--database-url) only')
  const env = ctx.io.env
  const postgres = dataDir === undefined ? (url ?? env.DATABASE_URL) : undefined
  const schema = (ctx.flags.schema as string | undefined) ?? env.REVKUBE_DB_SCHEMA
  const { configFromEnv, ConfigError } = await import('../../services/config.js')
  try {
    return configFromEnv({
      DATABASE_URL: postgres,
      REVKUBE_DB_SCHEMA: postgres ? schema : undefined,
      REVKUBE_DATA_DIR: dataDir ?? env.REVKUBE_DATA_DIR,
    }).database
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message)
    throw error
  }
}

/**
 * Standard input as pages of events, each line parsed and checked (a CliError names the line);
 * `lineOf` finds the line of a revision of the page the importer is working on.
 */
function pagesOf(ctx: CommandContext): { pages: AsyncIterable<LogEvent[]>; lineOf(revision: number): number | undefined } {
  let pageLines: number[] = []
  let pageFirst = 0
  async function* pages(): AsyncGenerator<LogEvent[]> {
    let page: LogEvent[] = []
    let lines: number[] = []
    let n = 0
    let expected = 1
    for await (const text of ctx.io.stdinLines()) {
      n++
      if (text.trim() === '') continue
      const line = parseLogLine(text, n)
      if (line.revision !== expected) {
        throw new CliError(
          expected === 1
            ? `line ${n}: the log must start at revision 1, got ${line.revision} (import restores a whole log: export it without --from)`
            : `line ${n}: expected revision ${expected}, got ${line.revision}: revisions must be contiguous (is a line missing?)`,
        )
      }
      expected++
      page.push({
        revision: line.revision,
        txRevision: line.txRevision,
        type: line.type,
        kind: line.kind,
        namespace: line.namespace,
        name: line.name,
        uid: line.uid,
        object: line.object,
        meta: line.meta,
        committedAt: line.committedAt,
      })
      lines.push(n)
      if (page.length === PAGE) {
        ;[pageFirst, pageLines] = [page[0]!.revision, lines]
        yield page
        page = []
        lines = []
      }
    }
    if (page.length > 0) {
      ;[pageFirst, pageLines] = [page[0]!.revision, lines]
      yield page
    }
  }
  return { pages: pages(), lineOf: (revision) => pageLines[revision - pageFirst] }
}
