import { SEALED, type Sealer } from '../secrets/sealing.js'
import { isSensitiveKind } from '../secrets/sensitive-fields.js'
import type { BatchPlan } from './plan-batch.js'

/**
 * Seals a planned batch before it is written (the store's write boundary): the row of each
 * event of a kind with sensitive fields gets them sealed, under the event's final uid, so
 * `events` and `objects` (which share the row) never hold them in plain text. Events keep their
 * plain-text object for the append's outcome and for `committed`; a deletion whose last state
 * was read sealed from `objects` is stored as it is and opened for them. Other events are not
 * touched.
 */
export function sealPlan(plan: BatchPlan, sealer: Sealer): void {
  for (const e of plan.events) {
    const { kind, namespace, name } = e.key
    if (e.object[SEALED] !== undefined) {
      e.object = sealer.open(e.object, kind, namespace, name)
    } else if (isSensitiveKind(kind)) {
      const sealed = sealer.seal(e.object, kind, namespace, name)
      if (sealed !== e.object) {
        e.json = JSON.stringify({ revision: e.revision, type: e.type, kind, namespace, name, uid: e.uid, object: sealed, meta: e.meta })
      }
    }
  }
}
