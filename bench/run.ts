/**
 * `npm run bench -- NAME [NAME…]` runs the named benchmarks (bench/NAME.bench.ts); with no name
 * it lists them. Each prints its figures beside a baseline measured in the same run.
 */
import { readdirSync } from 'node:fs'

const available = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
const names = process.argv.slice(2)

if (names.length === 0) {
  console.log(`usage: npm run bench -- NAME\navailable: ${available.join(', ')}`)
  process.exit(0)
}
for (const name of names) {
  if (!available.includes(name)) {
    console.error(`no benchmark "${name}" (available: ${available.join(', ')})`)
    process.exit(2)
  }
}
for (const name of names) {
  const bench = (await import(`./${name}.bench.ts`)) as { run: () => Promise<void> }
  await bench.run()
}
