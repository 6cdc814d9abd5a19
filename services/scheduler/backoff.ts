/**
 * Pods that failed to schedule and when they may be tried again (scheduler `internal/queue`):
 * the back-off starts at 1 s and doubles with each attempt up to 10 s. An unschedulable pod is
 * tried again when the cluster changes in a way that may help, once its back-off has passed; a
 * pod that met an error is tried again when its back-off has passed.
 */
export const INITIAL_BACKOFF_MS = 1_000
export const MAX_BACKOFF_MS = 10_000

export function backoffDuration(attempts: number): number {
  let duration = INITIAL_BACKOFF_MS
  for (let i = 1; i < attempts; i++) {
    duration *= 2
    if (duration >= MAX_BACKOFF_MS) return MAX_BACKOFF_MS
  }
  return duration
}

interface Attempts {
  attempts: number
  retryAt: number
  /** the failure involved other pods (affinity, spreading): a pod placed somewhere may help */
  dependsOnPods: boolean
}

export class Backoff {
  private readonly pods = new Map<string, Attempts>()

  /** Records a failed attempt at `now`; returns when the pod may be tried again. */
  failed(key: string, now: number, dependsOnPods: boolean): number {
    const attempts = (this.pods.get(key)?.attempts ?? 0) + 1
    const retryAt = now + backoffDuration(attempts)
    this.pods.set(key, { attempts, retryAt, dependsOnPods })
    return retryAt
  }

  /** When the pod may be tried again, if it has failed before. */
  retryAt(key: string): number | undefined {
    return this.pods.get(key)?.retryAt
  }

  attempts(key: string): number {
    return this.pods.get(key)?.attempts ?? 0
  }

  has(key: string): boolean {
    return this.pods.has(key)
  }

  forget(key: string): void {
    this.pods.delete(key)
  }

  /** Pods waiting for the cluster to change; only those whose failure involved other pods, if asked. */
  *waiting(onlyDependingOnPods = false): Iterable<string> {
    for (const [key, a] of this.pods) if (!onlyDependingOnPods || a.dependsOnPods) yield key
  }
}
