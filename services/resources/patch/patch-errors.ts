import { StatusError, errors } from '../../errors.js'
import { goString, goTypeName, goValue } from './go-format.js'

/**
 * The errors a patch can fail with, as the Kubernetes apiserver reports them
 * (`staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go`):
 *
 * - a patch document that does not decode → 400 BadRequest with the decoder's text;
 * - a JSON patch operation that does not apply, or a strategic merge patch with lists of lists →
 *   422 Invalid built by `NewGenericServerResponse`, whose message is a fixed sentence that drops
 *   the library's explanation. We keep that explanation as the single cause (field `patch`);
 * - any other strategic merge patch failure (an unknown `$patch`, a missing merge key) reaches the
 *   client as a plain Go error: code 500 with the library's text as the message. Kubernetes leaves
 *   the reason empty there; `InternalError` is the nearest reason we have.
 */

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

/** The apiserver's cap on operations in one JSON patch. */
export const MAX_JSON_PATCH_OPERATIONS = 10_000

/** 422 Invalid: the patch decoded but cannot be applied; `detail` is the library's explanation. */
export function patchNotApplicable(detail: string): StatusError {
  return new StatusError('Invalid', PATCH_REJECTED_MESSAGE, {
    causes: [{ reason: 'FieldValueInvalid', field: 'patch', message: detail }],
  })
}

/** 400 BadRequest for a JSON patch document the apiserver cannot decode. */
export function undecodableJsonPatch(decoderMessage: string): StatusError {
  return errors.badRequest(`error decoding patch: ${decoderMessage}`)
}

/** 413 for a JSON patch with more than {@link MAX_JSON_PATCH_OPERATIONS} operations. */
export function tooManyOperations(count: number): StatusError {
  return errors.tooLarge(
    'Request entity too large: The allowed maximum operations in a JSON patch is ' +
      `${MAX_JSON_PATCH_OPERATIONS}, got ${count}`,
  )
}

/** A strategic merge patch failure Kubernetes passes through as a bare error (HTTP 500). */
export function strategicPatchFailure(message: string): StatusError {
  return new StatusError('InternalError', message)
}

/** `$patch` with a value other than replace, delete or merge. */
export function unknownPatchType(directive: unknown, map: unknown): StatusError {
  return strategicPatchFailure(`unknown patch type: ${goString(directive)} in map: ${goValue(map)}`)
}

/** A list item (or `$setElementOrder` entry) without the list's merge key. */
export function noMergeKey(item: unknown, mergeKey: string): StatusError {
  return strategicPatchFailure(`map: ${goValue(item)} does not contain declared merge key: ${mergeKey}`)
}

/** A value of the wrong JSON type where a list or map was required. */
export function badArgType(expected: '[]interface {}' | 'map[string]interface {}', actual: unknown): StatusError {
  return strategicPatchFailure(`expected a ${expected}, but received a ${goTypeName(actual)}`)
}
