import { createHash } from 'node:crypto'
import type { KubeObject } from '../resources/kind-types.js'
import type { Action } from './controller.js'
import { nameOf, namespaceOf, uidOf } from './objects.js'

/**
 * Kubernetes Event objects, as the event recorder of each component writes them: what users look
 * for with `kubectl get events` and `describe` (Scheduled, FailedScheduling, ScalingReplicaSet,
 * SuccessfulCreate, Killing, …). Named `<object>.<hash>` like Kubernetes' `<object>.<hex time>`;
 * the hash comes from the object, reason, message and time, so a retried reconcile does not
 * record the same event twice.
 */
export function recordEvent(
  involved: KubeObject,
  event: { type?: 'Normal' | 'Warning'; reason: string; message: string; component: string; host?: string },
  now: Date,
): Action {
  const time = now.toISOString().replace(/\.\d{3}Z$/, 'Z')
  const namespace = namespaceOf(involved) || 'default'
  const hash = createHash('sha256')
    .update(`${uidOf(involved)}|${event.reason}|${event.message}|${time}`)
    .digest('hex')
    .slice(0, 16)
  return {
    type: 'create',
    object: {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${nameOf(involved)}.${hash}`, namespace },
      involvedObject: {
        apiVersion: involved.apiVersion,
        kind: involved.kind,
        name: nameOf(involved),
        ...(namespaceOf(involved) && { namespace: namespaceOf(involved) }),
        uid: uidOf(involved),
        resourceVersion: involved.metadata?.resourceVersion,
      },
      reason: event.reason,
      message: event.message,
      type: event.type ?? 'Normal',
      source: { component: event.component, ...(event.host && { host: event.host }) },
      reportingComponent: event.component,
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
    },
  }
}
