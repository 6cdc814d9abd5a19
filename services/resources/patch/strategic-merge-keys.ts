import type { KindDefinition, MergeKeys } from '../kind.js'
import { registry } from '../registry.js'

/**
 * How strategic merge patch treats a list, from its kind's merge keys (`KindDefinition.mergeKeys`:
 * the `patchStrategy:"merge"` and `patchMergeKey` tags of k8s.io/api's Go types). Lists a kind
 * names nowhere are replaced wholesale, as in a JSON merge patch.
 */

/** How a list at some path is patched. */
export type ListStrategy = { kind: 'merge'; key: string } | { kind: 'set' } | { kind: 'replace' }

/** ObjectMeta's lists, the same in every object: they merge even for kinds without merge keys. */
const objectMeta: Required<MergeKeys> = { lists: { 'metadata.ownerReferences': 'uid' }, sets: ['metadata.finalizers'] }

/** The merge keys of a kind, by name (a kind the built-in registry does not serve has none) or by definition. */
export function mergeKeysOf(kind: string | KindDefinition | undefined): MergeKeys | undefined {
  return typeof kind === 'string' ? registry.get(kind)?.mergeKeys : kind?.mergeKeys
}

function lookup(table: Readonly<Record<string, string>> | undefined, path: string): string | undefined {
  return table !== undefined && Object.hasOwn(table, path) ? table[path] : undefined
}

/** The strategy for the list at `path` (dotted, indexes dropped) in an object with these merge keys. */
export function listStrategy(keys: MergeKeys | undefined, path: string): ListStrategy {
  const key = lookup(objectMeta.lists, path) ?? lookup(keys?.lists, path)
  if (key !== undefined) return { kind: 'merge', key }
  return objectMeta.sets.includes(path) || (keys?.sets ?? []).includes(path) ? { kind: 'set' } : { kind: 'replace' }
}
