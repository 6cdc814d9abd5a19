import type { Projection } from '../../projections/projection.js'
import type { ResourceApi } from '../api/resource-api.js'
import { createKubelet } from '../kubelet/kubelet.js'
import { HeartbeatTable } from '../runtime/heartbeat-table.js'
import { PodMetrics } from '../kubelet/pod-metrics.js'
import type { Logger } from '../log.js'
import { createScheduler } from '../scheduler/scheduler.controller.js'
import { createCronJobController } from '../controllers/cron-job.controller.js'
import { createDaemonSetController } from '../controllers/daemon-set.controller.js'
import { createDeploymentController } from '../controllers/deployment/deployment.controller.js'
import { createEndpointSliceController } from '../controllers/endpoint-slice.controller.js'
import { createEndpointsController } from '../controllers/endpoints.controller.js'
import { createGarbageCollector } from '../controllers/garbage-collector.controller.js'
import { createHorizontalPodAutoscalerController } from '../controllers/horizontal-pod-autoscaler.controller.js'
import { createJobController } from '../controllers/job.controller.js'
import { createNamespaceController } from '../controllers/namespace.controller.js'
import { createNodeLifecycleController } from '../controllers/node-lifecycle.controller.js'
import { createReplicaSetController } from '../controllers/replica-set.controller.js'
import { createStatefulSetController } from '../controllers/stateful-set.controller.js'
import { createResourceQuotaController } from '../controllers/resource-quota.controller.js'
import { createServiceAccountController } from '../controllers/service-account.controller.js'
import type { Clock } from '../runtime/clock.js'
import type { ControllerStats } from '../runtime/controller-stats.js'
import { ControllerRunner } from '../runtime/runner.js'

/** What kube-controller-manager, kube-scheduler and the kubelets do, running in this process. */
export interface ControlPlane {
  /** Resolves when nothing is left to reconcile (for tests and benchmarks). */
  settled(timeoutMs?: number): Promise<void>
  stop(): Promise<void>
}

export interface ControlPlaneOptions {
  api: ResourceApi
  projection: Projection
  clock: Clock
  log: Logger
  /** Where the runner counts reconciles (for /metrics). */
  stats?: ControllerStats
}

/** Starts every controller, the scheduler and the simulated kubelets on one runner. */
export function startControlPlane(options: ControlPlaneOptions): ControlPlane {
  const heartbeats = new HeartbeatTable()
  const metrics = new PodMetrics()
  const kubelet = createKubelet({ heartbeats, metrics, clock: options.clock })
  const runner = new ControllerRunner({
    ...options,
    // Keys these controllers work on are independent of one another (pods, workloads, services).
    workers: {
      kubelet: 128,
      replicaset: 4,
      replicationcontroller: 2,
      deployment: 4,
      endpoint: 4,
      endpointslice: 4,
      job: 2,
      garbagecollector: 4,
    },
    controllers: [
      createScheduler(),
      kubelet,
      createNodeLifecycleController({ heartbeats }),
      createDeploymentController(),
      createReplicaSetController('ReplicaSet'),
      createReplicaSetController('ReplicationController'),
      createDaemonSetController(),
      createStatefulSetController(),
      createJobController(),
      createCronJobController(),
      createHorizontalPodAutoscalerController({ metrics }),
      createEndpointsController(),
      createEndpointSliceController(),
      createNamespaceController(options.api.registry),
      createGarbageCollector(options.api.registry),
      createResourceQuotaController(options.api.registry),
      createServiceAccountController(),
    ],
  })
  runner.start()
  return {
    settled: (timeoutMs) => runner.settled(timeoutMs),
    stop: async () => {
      await runner.stop()
      kubelet.stop()
    },
  }
}
