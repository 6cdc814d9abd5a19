import { fieldError, type FieldError } from '../field-errors.js'
import { qualifiedName } from './names.js'

/**
 * metadata.finalizers and metadata.ownerReferences as Kubernetes validates them (apimachinery
 * `api/validation/objectmeta.go`). Errors for the entries of a list are reported at the list's
 * path (`metadata.ownerReferences.uid`, no index), as upstream does.
 */

/** The finalizer that orphans dependents (`propagationPolicy: Orphan`). */
export const FINALIZER_ORPHAN_DEPENDENTS = 'orphan'
/** The finalizer that deletes dependents first (`propagationPolicy: Foreground`). */
export const FINALIZER_DELETE_DEPENDENTS = 'foregroundDeletion'

const notAString = 'must be a string'

/**
 * Validates a finalizers list: each entry a qualified name, and not both `orphan` and
 * `foregroundDeletion` (`finalizer orphan and foregroundDeletion cannot be both set`).
 */
export function validateFinalizers(finalizers: unknown, field: string): FieldError[] {
  if (finalizers === undefined || finalizers === null) return []
  if (!Array.isArray(finalizers)) return [fieldError.invalid(field, finalizers, 'must be a list of strings')]
  const errors: FieldError[] = []
  for (const finalizer of finalizers as unknown[]) {
    if (typeof finalizer !== 'string') errors.push(fieldError.invalid(field, finalizer, notAString))
    else errors.push(...qualifiedName(finalizer).map((message) => fieldError.invalid(field, finalizer, message)))
  }
  if (finalizers.includes(FINALIZER_ORPHAN_DEPENDENTS) && finalizers.includes(FINALIZER_DELETE_DEPENDENTS)) {
    errors.push(
      fieldError.invalid(
        field,
        finalizers,
        `finalizer ${FINALIZER_ORPHAN_DEPENDENTS} and ${FINALIZER_DELETE_DEPENDENTS} cannot be both set`,
      ),
    )
  }
  return errors
}

/**
 * On an update of an object that is being deleted: finalizers may be removed but not added
 * (`Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers
 * []string{"x"}`; the new ones sorted, printed in Go syntax as upstream does).
 */
export function validateNoNewFinalizers(next: readonly string[], previous: readonly string[], field: string): FieldError[] {
  const known = new Set(previous)
  const added = [...new Set(next.filter((finalizer) => !known.has(finalizer)))].sort()
  if (added.length === 0) return []
  const goSlice = `[]string{${added.map((finalizer) => JSON.stringify(finalizer)).join(', ')}}`
  return [fieldError.forbidden(field, `no new finalizers can be added if the object is being deleted, found new finalizers ${goSlice}`)]
}

/** An owner reference as the API carries it. */
export type { OwnerReference } from '../objects.js'

/**
 * Validates an ownerReferences list: apiVersion (`<group>/<version>` or `<version>`), kind, name and
 * uid are required; `v1/Event` may not be an owner; at most one reference has `controller: true`.
 */
export function validateOwnerReferences(refs: unknown, field: string): FieldError[] {
  if (refs === undefined || refs === null) return []
  if (!Array.isArray(refs)) return [fieldError.invalid(field, refs, 'must be a list of owner references')]
  const errors: FieldError[] = []
  let firstController: string | undefined
  for (const ref of refs as unknown[]) {
    if (typeof ref !== 'object' || ref === null || Array.isArray(ref)) {
      errors.push(fieldError.invalid(field, ref, 'must be an owner reference object'))
      continue
    }
    const fields = ref as Record<string, unknown>
    errors.push(...validateOwnerReference(fields, field))
    if (fields['controller'] !== true) continue
    const controller = `${text(fields['kind'])}/${text(fields['name'])}`
    if (firstController === undefined) firstController = controller
    else {
      const found = `Found "true" in references for ${firstController} and ${controller}`
      errors.push(fieldError.invalid(field, refs.map(printable), `Only one reference can have Controller set to true. ${found}`))
    }
  }
  return errors
}

function validateOwnerReference(ref: Record<string, unknown>, field: string): FieldError[] {
  const errors: FieldError[] = []
  for (const key of ['apiVersion', 'kind', 'name', 'uid'] as const) {
    if (ref[key] !== undefined && ref[key] !== null && typeof ref[key] !== 'string') {
      errors.push(fieldError.invalid(`${field}.${key}`, ref[key], notAString))
    }
  }
  const apiVersion = text(ref['apiVersion'])
  const kind = text(ref['kind'])
  const { group, version } = parseGroupVersion(apiVersion)
  if (version === '') errors.push(fieldError.invalid(`${field}.apiVersion`, apiVersion, 'version must not be empty'))
  if (kind === '') errors.push(fieldError.invalid(`${field}.kind`, kind, 'must not be empty'))
  if (text(ref['name']) === '') errors.push(fieldError.invalid(`${field}.name`, text(ref['name']), 'must not be empty'))
  if (text(ref['uid']) === '') errors.push(fieldError.invalid(`${field}.uid`, text(ref['uid']), 'must not be empty'))
  if (group === '' && version === 'v1' && kind === 'Event') {
    errors.push(fieldError.invalid(field, printable(ref), `${group}/${version}, Kind=${kind} is disallowed from being an owner`))
  }
  return errors
}

/**
 * Splits an apiVersion the way Kubernetes' `ParseGroupVersion` does: `v1` is the core group,
 * `apps/v1` has a group; more than one `/` is unparseable and leaves both parts empty.
 */
export function parseGroupVersion(apiVersion: string): { group: string; version: string } {
  if (apiVersion === '' || apiVersion === '/') return { group: '', version: '' }
  const parts = apiVersion.split('/')
  if (parts.length === 1) return { group: '', version: apiVersion }
  if (parts.length === 2) return { group: parts[0]!, version: parts[1]! }
  return { group: '', version: '' }
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '')

/** An owner reference as Kubernetes prints it in an error: its JSON, optional fields only when set. */
function printable(ref: unknown): unknown {
  if (typeof ref !== 'object' || ref === null || Array.isArray(ref)) return ref
  const fields = ref as Record<string, unknown>
  const out: Record<string, unknown> = {
    apiVersion: text(fields['apiVersion']),
    kind: text(fields['kind']),
    name: text(fields['name']),
    uid: text(fields['uid']),
  }
  if (typeof fields['controller'] === 'boolean') out['controller'] = fields['controller']
  if (typeof fields['blockOwnerDeletion'] === 'boolean') out['blockOwnerDeletion'] = fields['blockOwnerDeletion']
  return out
}
