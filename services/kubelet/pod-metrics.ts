import type { PodMetricsApi, PodUsage } from '../runtime/metrics-api.js'

/** Resource usage of pods as the simulated kubelets report it: the metrics API the HorizontalPodAutoscaler reads. */
export class PodMetrics implements PodMetricsApi {
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
