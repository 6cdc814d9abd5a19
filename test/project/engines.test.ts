import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

/**
 * `npm ci` warns EBADENGINE when the running Node is outside a dependency's `engines.node`. The
 * README and package.json promise Node 20.19 and later in the 20 line: the oldest such version, and
 * the one running these tests, must satisfy every range in the lock file.
 */

type Version = [number, number, number]
interface Comparator {
  op: '>=' | '>' | '<=' | '<' | '='
  version: Version
}

const read = (file: string) => JSON.parse(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8'))

/** `20`, `20.19`, `20.19.1`, `10.x`: the parts given (a wildcard ends them). */
function partial(text: string): number[] {
  const parts: number[] = []
  for (const part of text.replace(/^v/, '').split('.')) {
    if (part === 'x' || part === 'X' || part === '*') break
    if (!/^\d+$/.test(part)) throw new Error(`not a version: ${text}`)
    parts.push(Number(part))
  }
  return parts
}

const full = (parts: number[]): Version => [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0]

/** The upper bound of `^parts` and of a bare partial: the next version that changes what the range fixes. */
function bump(parts: number[], caret: boolean): Version {
  if (!caret || parts.length === 1) return [parts[0]! + 1, 0, 0]
  if (parts[0]! > 0) return [parts[0]! + 1, 0, 0]
  if (parts[1]! > 0 || parts.length === 2) return [0, parts[1]! + 1, 0]
  return [0, 0, parts[2]! + 1]
}

/** One comparator of node-semver's grammar, as used by `engines` ranges: `>=X`, `^X.Y`, `~X.Y.Z`, `X.x`, `X`. */
function comparators(token: string): Comparator[] {
  const match = /^(>=|<=|>|<|=|\^|~)?(.+)$/.exec(token)!
  const op = match[1]
  const parts = partial(match[2]!)
  if (parts.length === 0) return []
  if (op === '^')
    return [
      { op: '>=', version: full(parts) },
      { op: '<', version: bump(parts, true) },
    ]
  if (op === '~')
    return [
      { op: '>=', version: full(parts) },
      { op: '<', version: parts.length === 1 ? [parts[0]! + 1, 0, 0] : [parts[0]!, parts[1]! + 1, 0] },
    ]
  if (op === undefined || op === '=') {
    return parts.length === 3
      ? [{ op: '=', version: full(parts) }]
      : [
          { op: '>=', version: full(parts) },
          { op: '<', version: bump(parts, false) },
        ]
  }
  return [{ op: op as Comparator['op'], version: full(parts) }]
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]
}

/** Whether `version` satisfies `range` (`||` alternatives of space-separated comparators; `>= 12` may have a space). */
function satisfies(version: Version, range: string): boolean {
  return range.split('||').some((alternative) => {
    const tokens = alternative
      .trim()
      .replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1')
      .split(/\s+/)
      .filter((t) => t !== '' && t !== '*')
    return tokens.flatMap(comparators).every(({ op, version: bound }) => {
      const c = compare(version, bound)
      return op === '>=' ? c >= 0 : op === '>' ? c > 0 : op === '<=' ? c <= 0 : op === '<' ? c < 0 : c === 0
    })
  })
}

describe('the Node versions the project supports', () => {
  it('reads the range forms the lock file uses as npm does', () => {
    expect(satisfies([20, 19, 0], '>=20.19')).toBe(true)
    expect(satisfies([20, 18, 9], '>=20.19')).toBe(false)
    expect(satisfies([20, 19, 0], '^20.19.0 || >=22.12.0')).toBe(true)
    expect(satisfies([21, 0, 0], '^20.19.0 || >=22.12.0')).toBe(false)
    expect(satisfies([20, 0, 0], '^20 || ^22')).toBe(true)
    expect(satisfies([20, 19, 0], '>=22.15')).toBe(false)
    expect(satisfies([20, 19, 0], '>= 10.x')).toBe(true)
    expect(satisfies([13, 7, 0], '^10 || ^12 || ^13.7 || ^14 || >=15.0.1')).toBe(true)
    expect(satisfies([15, 0, 0], '^10 || ^12 || ^13.7 || ^14 || >=15.0.1')).toBe(false)
    expect(satisfies([20, 19, 0], '~20.18.1')).toBe(false)
    expect(satisfies([20, 19, 0], '20.x')).toBe(true)
  })

  it('satisfy the engines.node of every package in package-lock.json, so npm ci prints no EBADENGINE', () => {
    const engines: string = read('package.json').engines.node
    const oldest = full(partial(engines.replace(/^>=\s*/, '')))
    const running = full(partial(process.versions.node))
    const versions = satisfies(running, engines) ? [oldest, running] : [oldest]
    const unsupported: string[] = []
    for (const [path, entry] of Object.entries<{ engines?: { node?: string } }>(read('package-lock.json').packages)) {
      const range = entry.engines?.node
      if (typeof range !== 'string') continue
      for (const version of versions) {
        if (!satisfies(version, range)) unsupported.push(`${path || 'the project'} wants node ${range}, not ${version.join('.')}`)
      }
    }
    expect(unsupported).toEqual([])
  })
})
