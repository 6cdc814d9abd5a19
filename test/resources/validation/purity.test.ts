import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const dir = join(import.meta.dirname, '../../../services/resources/validation')
const sources = readdirSync(dir).filter((file) => file.endsWith('.ts'))

describe('validation primitives', () => {
  it('are pure: no database, GraphQL, Node or network imports', () => {
    expect(sources.length).toBeGreaterThan(0)
    for (const file of sources) {
      const imports = [...readFileSync(join(dir, file), 'utf8').matchAll(/from '([^']+)'/g)].map((match) => match[1])
      expect(
        imports.filter((source) => !source?.startsWith('.')),
        file,
      ).toEqual([])
    }
  })
})
