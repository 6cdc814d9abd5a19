import type { KubeObject } from '../resources/kind-types.js'
import { matchesLabels, type LabelSelector } from '../resources/label-selector.js'
import { controllerOf, controllerReference, isDeleting, labelsOf, nameOf, namespaceOf, uidOf } from '../runtime/objects.js'
import type { Action } from '../runtime/controller.js'

/** What an owner claims: the objects it controls now (adopted ones included) and the patches that adopt or release. */
export interface Claims<T extends KubeObject> {
  owned: T[]
  actions: Action[]
}

/**
 * Kubernetes' ControllerRefManager (`ClaimPods`, `ClaimReplicaSets`): of the candidates in the
 * owner's namespace, those it controls and whose labels still match are kept; those it controls
 * that stopped matching are released (their controller reference removed); orphans that match are
 * adopted (a controller reference added). Objects controlled by someone else are left alone. An
 * owner being deleted (read from the state the reconcile sees, the level-triggered stand-in for
 * upstream's fresh GET) neither adopts nor releases, and nobody adopts an object being deleted.
 * The patches are strategic merge patches keyed by uid, carrying the object's uid as upstream's do.
 */
export function claim<T extends KubeObject>(owner: KubeObject, candidates: T[], selector: LabelSelector): Claims<T> {
  const ownerUid = uidOf(owner)
  const owned: T[] = []
  const actions: Action[] = []
  if (!ownerUid) return { owned, actions }
  const ownerDeleting = isDeleting(owner)
  for (const candidate of candidates) {
    const ref = controllerOf(candidate)
    const matches = matchesLabels(selector, labelsOf(candidate))
    if (ref) {
      if (ref.uid !== ownerUid) continue
      if (matches) owned.push(candidate)
      else if (!ownerDeleting) actions.push(release(owner, candidate))
      continue
    }
    if (ownerDeleting || !matches || isDeleting(candidate)) continue
    if (namespaceOf(owner) !== '' && namespaceOf(owner) !== namespaceOf(candidate)) continue
    actions.push(adopt(owner, candidate))
    owned.push(candidate)
  }
  return { owned, actions }
}

function adopt(owner: KubeObject, object: KubeObject): Action {
  return {
    type: 'patch',
    kind: String(object.kind),
    namespace: namespaceOf(object),
    name: nameOf(object),
    patchType: 'strategic',
    patch: { metadata: { ownerReferences: [controllerReference(owner)], uid: uidOf(object) } },
    reason: `adopted by ${String(owner.kind)} ${nameOf(owner)}`,
  }
}

function release(owner: KubeObject, object: KubeObject): Action {
  return {
    type: 'patch',
    kind: String(object.kind),
    namespace: namespaceOf(object),
    name: nameOf(object),
    patchType: 'strategic',
    patch: { metadata: { ownerReferences: [{ $patch: 'delete', uid: uidOf(owner) }], uid: uidOf(object) } },
    reason: `released by ${String(owner.kind)} ${nameOf(owner)}: its labels no longer match the selector`,
  }
}
