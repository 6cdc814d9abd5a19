import { deepEqual, isObject } from '../json.js'

/** One RFC 6902 operation of a diff. */
export type DiffOperation =
  | { op: 'add'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'replace'; path: string; value: unknown }

/**
 * An RFC 6902 JSON patch that turns `before` into `after`: objects are compared key by key,
 * arrays element by element over their common length (then items added or removed at the end),
 * anything else replaced. Applying it to `before` gives `after`. Pure.
 */
export function jsonDiff(before: unknown, after: unknown, path = ''): DiffOperation[] {
  if (deepEqual(before, after)) return []
  if (isObject(before) && isObject(after)) {
    const ops: DiffOperation[] = []
    for (const key of Object.keys(before)) {
      if (before[key] !== undefined && (!Object.hasOwn(after, key) || after[key] === undefined))
        ops.push({ op: 'remove', path: `${path}/${escape(key)}` })
    }
    for (const [key, value] of Object.entries(after)) {
      if (value === undefined) continue
      const at = `${path}/${escape(key)}`
      if (!Object.hasOwn(before, key) || before[key] === undefined) ops.push({ op: 'add', path: at, value })
      else ops.push(...jsonDiff(before[key], value, at))
    }
    return ops
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const ops: DiffOperation[] = []
    const common = Math.min(before.length, after.length)
    for (let i = 0; i < common; i++) ops.push(...jsonDiff(before[i], after[i], `${path}/${i}`))
    for (let i = before.length - 1; i >= common; i--) ops.push({ op: 'remove', path: `${path}/${i}` })
    for (let i = common; i < after.length; i++) ops.push({ op: 'add', path: `${path}/${i}`, value: after[i] })
    return ops
  }
  return [{ op: 'replace', path, value: after }]
}

/** RFC 6901: `~` → `~0`, `/` → `~1`. */
function escape(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1')
}
