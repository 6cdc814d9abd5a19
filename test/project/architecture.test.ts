import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))

/** The pure core: deciders, folds and reconcilers. No database, no GraphQL, no clock. */
const pure = ['services/store/plan-batch.ts', 'services/resources', 'projections']
const forbidden = /from ['"](pg|kysely|@electric-sql\/pglite|graphql|graphql-yoga|node:fs|node:net|node:http)['"]/

function files(path: string): string[] {
  const full = join(root, path)
  if (!existsSync(full)) return []
  if (statSync(full).isFile()) return [full]
  return readdirSync(full, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(full, f))
}

describe('architecture', () => {
  it('keeps database, GraphQL and I/O imports out of the pure core', () => {
    const offenders = pure.flatMap(files).filter((file) => forbidden.test(readFileSync(file, 'utf8')))
    expect(offenders.map((f) => relative(root, f))).toEqual([])
  })
})
