import type { JsonObject } from '../../json.js'

/**
 * Go decodes an absent field, `null` and the zero value (`""`, `0`) of a non-pointer field to the
 * same thing, so Kubernetes' defaults for such fields (`type`, `protocol`, `restartPolicy`, a
 * Service's `targetPort`) apply to all three. Pointer fields (`replicas`, `suspend`) keep an explicit
 * zero; for those use `defaultTo` from json.ts.
 */
export function isZero(value: unknown): boolean {
  return value === undefined || value === null || value === '' || value === 0
}

/** Sets `key` to `value` when it holds Go's zero value (see {@link isZero}). */
export function defaultZero(object: JsonObject, key: string, value: unknown): void {
  if (isZero(object[key])) object[key] = value
}
