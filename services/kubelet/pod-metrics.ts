/**
 * Resource usage of pods, as the simulated kubelets report it and the HorizontalPodAutoscaler
 * reads it (Kubernetes' metrics API, served from memory: usage is not history, docs/design/controllers.md).
 */
export interface PodUsage {
  /** CPU in millicores. */
  cpuMillis: number
  /** Memory in bytes. */
  memoryBytes: number
  /** When it was sampled. */
  timestamp: Date
}

export class PodMetrics {
  private readonly usage = new Map<string, PodUsage>()

  /** Records the usage of a pod (`namespace/name`). */
  report(key: string, usage: PodUsage): void {
    this.usage.set(key, usage)
  }

  /** The latest usage of a pod, if its kubelet has reported any. */
  get(key: string): PodUsage | undefined {
    return this.usage.get(key)
  }

  forget(key: string): void {
    this.usage.delete(key)
  }
}
