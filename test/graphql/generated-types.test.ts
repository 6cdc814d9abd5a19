import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { GENERATED_FILE, generateResolverTypes } from '../../graphql/types/generate.js'

// Needs no database: it builds the schema the server serves and generates its resolver types in memory.
describe('the generated resolver types', () => {
  it('are up to date with the schema (else run npm run codegen)', async () => {
    const committed = await readFile(GENERATED_FILE, 'utf8')
    const generated = await generateResolverTypes()
    expect(committed === generated, 'graphql/types/resolvers.generated.ts is out of date with the schema: run npm run codegen').toBe(true)
  })

  it('hold types only: nothing of them is left when TypeScript is erased', async () => {
    const text = await readFile(GENERATED_FILE, 'utf8')
    const imports = text.split('\n').filter((line) => line.startsWith('import '))
    expect(imports.length).toBeGreaterThan(0)
    for (const line of imports) expect(line).toMatch(/^import type /)
  })
})
