/**
 * The size of a JSON value as `JSON.stringify` would write it, in UTF-8 bytes, counted without
 * building the text: the object size limit and the JSON patch copy budget ask it of values that
 * may be megabytes. Members whose value is undefined are skipped and array holes count as `null`,
 * as `JSON.stringify` does. Walks without recursion, so depth is no concern.
 */
export function jsonSize(value: unknown): number {
  let size = 0
  const pending: unknown[] = [value]
  while (pending.length > 0) {
    const current = pending.pop()
    if (Array.isArray(current)) {
      size += 2 + Math.max(current.length - 1, 0)
      for (const item of current) pending.push(item === undefined ? null : item)
    } else if (typeof current === 'object' && current !== null) {
      let members = 0
      for (const key of Object.keys(current)) {
        const member = (current as Record<string, unknown>)[key]
        if (member === undefined) continue
        members++
        size += stringSize(key) + 1
        pending.push(member)
      }
      size += 2 + Math.max(members - 1, 0)
    } else {
      size += scalarSize(current)
    }
  }
  return size
}

function scalarSize(value: unknown): number {
  if (typeof value === 'string') return stringSize(value)
  if (typeof value === 'number') return Number.isFinite(value) ? String(value).length : 4
  if (typeof value === 'boolean') return value ? 4 : 5
  return 4
}

function stringSize(text: string): number {
  return Buffer.byteLength(JSON.stringify(text))
}
