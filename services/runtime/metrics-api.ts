/**
 * Kubernetes' resource metrics API (metrics.k8s.io `PodMetrics`), as controllers read it: the
 * HorizontalPodAutoscaler depends on this, and whatever samples pods (the simulated kubelets)
 * implements it. Usage is served from memory, not kept in the log (docs/design/controllers.md).
 */
export interface PodUsage {
  /** CPU in millicores. */
  cpuMillis: number
  /** Memory in bytes. */
  memoryBytes: number
  /** When it was sampled. */
  timestamp: Date
}

export interface PodMetricsApi {
  /** The latest usage of a pod (`namespace/name`), if any has been sampled. */
  get(key: string): PodUsage | undefined
}
