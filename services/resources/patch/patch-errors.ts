import { StatusError, errors, truncate } from '../../errors.js'
import { goString, goTypeName, goValue } from './go-format.js'

/**
 * The errors a patch can fail with, as the Kubernetes apiserver reports them
 * (`staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go`):
 *
 * - a patch document that does not decode → 400 BadRequest with the decoder's text;
 * - a JSON patch operation that does not apply, or a strategic merge patch with lists of lists →
 *   422 Invalid built by `NewGenericServerResponse`, whose message is a fixed sentence that drops
 *   the library's explanation. We keep that explanation as the single cause (field `patch`);
 * - any other strategic merge patch failure (an unknown `$patch`, a missing merge key, a directive
 *   of the wrong type) → the library's text. Kubernetes passes these through as a bare Go error,
 *   a 500; they are the client's mistake, so we answer 400 BadRequest.
 *
 * Values quoted in a message (a path, a map, a list) are cut to {@link MAX_QUOTED_CHARS}: the patch
 * or the stored object may be megabytes.
 */

/** The longest value a patch error quotes before cutting it with `...(truncated)`. */
export const MAX_QUOTED_CHARS = 256

/** Go's `%v` of a value, cut to {@link MAX_QUOTED_CHARS}. */
function quoted(value: unknown): string {
  return truncate(goValue(value), MAX_QUOTED_CHARS)
}

/** The message of Kubernetes' 422 for a patch it understood but could not apply. */
export const PATCH_REJECTED_MESSAGE = 'the server rejected our request due to an error in our request'

/** apimachinery `mergepatch` sentinel errors: 400 BadRequest, except lists of lists (422 Invalid). */
export const strategicPatchMessages = {
  primitiveList: 'invalid patch format of primitive list',
  retainKeys: 'invalid patch format of retainKeys',
  setElementOrder: 'invalid patch format of setElementOrder list',
  listOfLists: 'lists of lists are not supported',
} as const

/** evanphx/json-patch's answer to a merge patch that is null or not a JSON object or array. */
export const INVALID_MERGE_PATCH = 'Invalid JSON Patch'

/** The apiserver's cap on operations in one JSON patch (`maxJSONPatchOperations`). */
export const MAX_JSON_PATCH_OPERATIONS = 10_000

/**
 * 422 Invalid: the patch decoded but cannot be applied; `detail` is the library's explanation. The
 * values it quotes (paths, operation names) are the client's and come at its end, so it is cut whole.
 */
export function patchNotApplicable(detail: string): StatusError {
  return new StatusError('Invalid', PATCH_REJECTED_MESSAGE, {
    causes: [{ reason: 'FieldValueInvalid', field: 'patch', message: truncate(detail, 2 * MAX_QUOTED_CHARS) }],
  })
}

/** 422 for JSON patch copies past their budget, in evanphx/json-patch's (v4) words. */
export function copyTooLarge(accumulated: number, limit: number): StatusError {
  return patchNotApplicable(
    `Unable to complete the copy, the accumulated size increase of copy is ${accumulated}, exceeding the limit ${limit}`,
  )
}

/** 400 BadRequest for a JSON patch document the apiserver cannot decode. */
export function undecodableJsonPatch(decoderMessage: string): StatusError {
  return errors.badRequest(`error decoding patch: ${decoderMessage}`)
}

/** 413 for a JSON patch with more than {@link MAX_JSON_PATCH_OPERATIONS} operations. */
export function tooManyOperations(count: number): StatusError {
  return errors.tooLarge(
    'Request entity too large: The allowed maximum operations in a JSON patch is ' + `${MAX_JSON_PATCH_OPERATIONS}, got ${count}`,
  )
}

/**
 * A strategic merge patch the library refuses with a bare error (Kubernetes: HTTP 500): 400
 * BadRequest here, since the patch is at fault. Callers quote values through {@link quoted}.
 */
export function strategicPatchFailure(message: string): StatusError {
  return errors.badRequest(message)
}

/** `$patch` with a value other than replace, delete or merge. */
export function unknownPatchType(directive: unknown, map: unknown): StatusError {
  return strategicPatchFailure(`unknown patch type: ${truncate(goString(directive), MAX_QUOTED_CHARS)} in map: ${quoted(map)}`)
}

/** A list item (or `$setElementOrder` entry) without the list's merge key. */
export function noMergeKey(item: unknown, mergeKey: string): StatusError {
  return strategicPatchFailure(`map: ${quoted(item)} does not contain declared merge key: ${mergeKey}`)
}

/** Lists to merge whose items are not all of one JSON type. */
export function mixedListTypes(lists: unknown): StatusError {
  return strategicPatchFailure(`list element types are not identical: ${quoted(lists)}`)
}

/** A patch list whose items come in another order than its `$setElementOrder` list. */
export function orderMismatch(patch: unknown, order: unknown): StatusError {
  return strategicPatchFailure(`The order in patch list:\n${quoted(patch)}\n doesn't match $setElementOrder list:\n${quoted(order)}\n`)
}

/** A value of the wrong JSON type where a list or map was required. */
export function badArgType(expected: '[]interface {}' | 'map[string]interface {}', actual: unknown): StatusError {
  return strategicPatchFailure(`expected a ${expected}, but received a ${goTypeName(actual)}`)
}
