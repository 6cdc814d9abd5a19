import type { FieldPath } from '../resources/kind.js'
import { registry, type KindRegistry } from '../resources/registry.js'

/**
 * Which fields of which kinds hold secret values, as each kind's definition says
 * (`sensitiveFields`: a Secret's data, stringData and last-applied annotation): the store seals
 * them before they reach the database (sealing.ts) and `redact` hides them from callers who may
 * not read them. Kinds the registry does not serve have none.
 */

export type { FieldPath }
export { LAST_APPLIED } from '../resources/annotations.js'

/** The sensitive fields of a kind; empty for kinds that have none. */
export function sensitiveFieldsOf(kind: string, kinds: KindRegistry = registry): readonly FieldPath[] {
  return kinds.get(kind)?.sensitiveFields ?? []
}

/** Whether objects of this kind hold sensitive fields (Secrets). */
export function isSensitiveKind(kind: string, kinds: KindRegistry = registry): boolean {
  return sensitiveFieldsOf(kind, kinds).length > 0
}

/** The kinds with sensitive fields. */
export function sensitiveKinds(kinds: KindRegistry = registry): string[] {
  return kinds.kinds.filter((k) => (k.sensitiveFields ?? []).length > 0).map((k) => k.kind)
}
