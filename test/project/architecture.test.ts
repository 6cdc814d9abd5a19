import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))

/** The pure core: deciders, folds and reconcilers. No database, no GraphQL, no clock. */
const pure = ['services/store/plan-batch.ts', 'services/json.ts', 'services/resources', 'projections']
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

  it('holds the layers of .dependency-cruiser.cjs, and the check fails on an import against them', async () => {
    const clean = await cruise(['services', 'projections', 'graphql', 'cli', 'migrations'])
    expect(clean.output).toContain('no dependency violations found')
    expect(clean.code).toBe(0)

    // The resources layer reaching up into the API: the check must name the rule and fail.
    const dir = mkdtempSync(join(root, 'services/resources/.layer-probe-'))
    try {
      writeFileSync(join(dir, 'probe.ts'), "import { ResourceApi } from '../../api/resource-api.js'\nexport const probe = ResourceApi\n")
      const dirty = await cruise([relative(root, dir)])
      expect(dirty.code).not.toBe(0)
      expect(dirty.output).toMatch(/no-resources-to-api/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

function cruise(paths: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      join(root, 'node_modules/.bin/depcruise'),
      [...paths, '--config', '.dependency-cruiser.cjs', '--output-type', 'err'],
      { cwd: root },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    )
  })
}
