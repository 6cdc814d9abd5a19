import { applyPatch } from 'diff'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { unifiedDiff } from '../../cli/unified-diff.js'

const LINES = 20_000
const MB = 1024 * 1024

/** A YAML document of `LINES` lines; `edit` may rewrite any of them. */
function document(edit: (line: string, index: number) => string = (line) => line): string {
  const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: big', 'data:']
  for (let i = lines.length; i < LINES; i++) lines.push(`  key-${i}: value ${i}`)
  return `${lines.map(edit).join('\n')}\n`
}

/** The heap and off-heap bytes (typed arrays) `work` leaves allocated, collected or not. */
function growth<T>(work: () => T): { result: T; bytes: number } {
  const used = () => {
    const m = process.memoryUsage()
    return m.heapUsed + m.external
  }
  const before = used()
  const result = work()
  return { result, bytes: used() - before }
}

const hunkHeaders = (diff: string) => diff.split('\n').filter((line) => line.startsWith('@@'))

describe('unified diffs of large documents', () => {
  it('diffs two 20,000-line documents into the hunks of their changes, with heap growth under 200 MB', () => {
    const before = document()
    const after = document((line, i) => (i === 99 || i === 10_000 || i === LINES - 1 ? line.replace('value', 'changed') : line))
    const { result: diff, bytes } = growth(() => unifiedDiff(before, after, 'big@1', 'big@2'))
    expect(bytes).toBeLessThan(200 * MB)
    expect(hunkHeaders(diff)).toEqual(['@@ -97,7 +97,7 @@', '@@ -9998,7 +9998,7 @@', `@@ -${LINES - 3},4 +${LINES - 3},4 @@`])
    expect(diff.split('\n').slice(0, 11)).toEqual([
      '--- big@1',
      '+++ big@2',
      '@@ -97,7 +97,7 @@',
      '   key-96: value 96',
      '   key-97: value 97',
      '   key-98: value 98',
      '-  key-99: value 99',
      '+  key-99: changed 99',
      '   key-100: value 100',
      '   key-101: value 101',
      '   key-102: value 102',
    ])
    expect(applyPatch(before, diff)).toBe(after)
  })

  it('diffs two 20,000-line documents that differ on every line as one hunk, with heap growth under 200 MB', () => {
    const before = document()
    const after = document((line, i) => (i < 5 ? line : line.replace('value', 'other')))
    const { result: diff, bytes } = growth(() => unifiedDiff(before, after, 'big@1', 'big@2'))
    expect(bytes).toBeLessThan(200 * MB)
    expect(hunkHeaders(diff)).toEqual([`@@ -3,${LINES - 2} +3,${LINES - 2} @@`])
    expect(applyPatch(before, diff)).toBe(after)
  })

  it('shows a 20,000-line document created from nothing as added lines', () => {
    const diff = unifiedDiff('', document(), '/dev/null', 'big@1')
    expect(hunkHeaders(diff)).toEqual([`@@ -0,0 +1,${LINES} @@`])
    expect(diff.split('\n').filter((line) => line.startsWith('+')).length).toBe(LINES + 1)
  })
})

describe('unified diffs', () => {
  it('turns the first text into the second when applied, and is empty when they are equal', () => {
    const line = fc.constantFrom('a', 'b', 'c', '  x: 1', '')
    const text = fc.array(line, { maxLength: 40 }).map((lines) => (lines.length === 0 ? '' : `${lines.join('\n')}\n`))
    fc.assert(
      fc.property(text, text, (before, after) => {
        const diff = unifiedDiff(before, after, 'x@1', 'x@2')
        if (before === after) expect(diff).toBe('')
        else expect(applyPatch(before, diff)).toBe(after)
      }),
    )
  })
})
