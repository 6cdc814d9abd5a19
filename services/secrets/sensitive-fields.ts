/**
 * Which fields of which kinds hold secret values: the store seals them before they reach the
 * database (sealing.ts) and `redact` hides them from callers who may not read them. A kind opts
 * in with `registerSensitiveFields`; Secret's `data` and `stringData` are built in.
 */

/** A field as the keys leading to it, e.g. `['spec', 'password']`. */
export type FieldPath = readonly string[]

const registry = new Map<string, readonly FieldPath[]>()

/**
 * The annotation in which client-side apply keeps the whole last-applied manifest: for a Secret,
 * its data in plain text, so it is sealed with the data.
 */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration'

/**
 * Marks fields of `kind` as sensitive, added to any marked before. A path is an array of keys or
 * a dotted string (`'spec.password'`); use the array form for keys that contain dots.
 */
export function registerSensitiveFields(kind: string, paths: ReadonlyArray<FieldPath | string>): void {
  const known = registry.get(kind) ?? []
  const added = paths.map((p) => (typeof p === 'string' ? p.split('.') : [...p]))
  for (const path of added) {
    if (path.length === 0 || path.some((key) => key === '')) throw new Error(`a sensitive field path needs non-empty keys, got "${path.join('.')}"`)
    if (path[0] === 'metadata' && path[1] !== 'annotations') {
      throw new Error(`only annotations may be sensitive in metadata (names, labels and uids must stay readable), got "${path.join('.')}"`)
    }
  }
  const merged = [...known]
  for (const path of added) if (!merged.some((p) => p.join('\u0000') === path.join('\u0000'))) merged.push(path)
  registry.set(kind, merged)
}

/** The sensitive fields of a kind; empty for kinds that have none. */
export function sensitiveFieldsOf(kind: string): readonly FieldPath[] {
  return registry.get(kind) ?? []
}

/** Whether objects of this kind hold sensitive fields (Secrets, and kinds registered since). */
export function isSensitiveKind(kind: string): boolean {
  return registry.has(kind)
}

/** The kinds with sensitive fields. */
export function sensitiveKinds(): string[] {
  return [...registry.keys()]
}

registerSensitiveFields('Secret', [['data'], ['stringData'], ['metadata', 'annotations', LAST_APPLIED]])
