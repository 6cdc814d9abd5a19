/**
 * A unified diff of two texts, line by line (`diff -u` format, three lines of context), for
 * `revkube diff` and `history --diff`. Longest common subsequence: objects are small.
 */
export function unifiedDiff(before: string, after: string, fromLabel: string, toLabel: string, context = 3): string {
  const a = before === '' ? [] : before.replace(/\n$/, '').split('\n')
  const b = after === '' ? [] : after.replace(/\n$/, '').split('\n')
  const ops = diffLines(a, b)
  if (ops.every((op) => op.type === ' ')) return ''
  const out = [`--- ${fromLabel}`, `+++ ${toLabel}`]
  // Group changes with their context into hunks.
  let i = 0
  while (i < ops.length) {
    if (ops[i]!.type === ' ') {
      i++
      continue
    }
    const start = Math.max(0, i - context)
    let end = i
    for (let j = i; j < ops.length; j++) {
      if (ops[j]!.type !== ' ') end = j
      else if (j - end > context * 2) break
    }
    const stop = Math.min(ops.length, end + context + 1)
    const hunk = ops.slice(start, stop)
    const aStart = ops.slice(0, start).filter((o) => o.type !== '+').length
    const bStart = ops.slice(0, start).filter((o) => o.type !== '-').length
    const aLen = hunk.filter((o) => o.type !== '+').length
    const bLen = hunk.filter((o) => o.type !== '-').length
    out.push(`@@ -${aLen ? aStart + 1 : aStart},${aLen} +${bLen ? bStart + 1 : bStart},${bLen} @@`)
    for (const op of hunk) out.push(`${op.type}${op.line}`)
    i = stop
  }
  return `${out.join('\n')}\n`
}

type Op = { type: ' ' | '-' | '+'; line: string }

function diffLines(a: string[], b: string[]): Op[] {
  const n = a.length
  const m = b.length
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1))
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!)
  }
  const ops: Op[] = []
  let i = 0
  let j = 0
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ type: ' ', line: a[i]! })
      i++
      j++
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) ops.push({ type: '-', line: a[i++]! })
    else ops.push({ type: '+', line: b[j++]! })
  }
  while (i < n) ops.push({ type: '-', line: a[i++]! })
  while (j < m) ops.push({ type: '+', line: b[j++]! })
  return ops
}
