import { describe, expect, it } from 'vitest'
import { FakeClock } from '../../services/runtime/clock.js'
import { backOffSeconds, goDuration, normalizedImage } from '../../services/kubelet/container-status.js'
import { stepPod, type PodStep } from '../../services/kubelet/pod-status.js'
import { stopPod } from '../../services/kubelet/pod-termination.js'
import type { JsonObject } from '../../services/json.js'

const T0 = '2026-11-26T12:00:00Z'
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString().replace('.000Z', 'Z')

function makePod(annotations: Record<string, string> = {}, spec: JsonObject = {}, metadata: JsonObject = {}): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', uid: 'uid-1', annotations, ...metadata },
    spec: { nodeName: 'n1', restartPolicy: 'Always', containers: [{ name: 'app', image: 'nginx:1.25' }], ...spec },
    status: { phase: 'Pending', qosClass: 'BestEffort' },
  }
}

/** Drives one pod through the state machine as the kubelet would: step, store the status, repeat when due. */
class Simulation {
  readonly clock = new FakeClock(T0)
  last: PodStep = { events: [] }
  constructor(public pod: JsonObject) {
    this.step()
  }
  step(): PodStep {
    this.last = stepPod(this.pod, { now: this.clock.now(), hostIP: '172.18.0.2', podIP: '10.244.0.2' })
    if (this.last.status) this.pod = { ...this.pod, status: this.last.status }
    return this.last
  }
  /** Advances to `seconds` after T0 and steps. */
  at(seconds: number): PodStep {
    this.clock.advance(Date.parse(at(seconds)) - this.clock.now().getTime())
    return this.step()
  }
  get status() {
    return this.pod.status as any
  }
  get container() {
    return this.status.containerStatuses[0]
  }
}

const conditionOf = (status: any, type: string) => status.conditions.find((c: any) => c.type === type)

describe('the simulated pod state machine', () => {
  it('starts a pod at once by default: Running and Ready with IPs, container details and conditions', () => {
    const sim = new Simulation(makePod())
    expect(sim.status).toMatchObject({
      phase: 'Running',
      podIP: '10.244.0.2',
      podIPs: [{ ip: '10.244.0.2' }],
      hostIP: '172.18.0.2',
      startTime: T0,
      qosClass: 'BestEffort',
    })
    expect(sim.container).toMatchObject({
      name: 'app',
      image: 'docker.io/library/nginx:1.25',
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: T0 } },
      lastState: {},
    })
    expect(sim.container.imageID).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/)
    expect(sim.container.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/)
    expect(sim.status.conditions.map((c: any) => [c.type, c.status, c.lastTransitionTime])).toEqual([
      ['PodReadyToStartContainers', 'True', T0],
      ['Initialized', 'True', T0],
      ['Ready', 'True', T0],
      ['ContainersReady', 'True', T0],
      ['PodScheduled', 'True', T0],
    ])
    expect(sim.last.events.map((e) => `${e.reason}: ${e.message}`)).toEqual([
      'Pulled: Container image "nginx:1.25" already present on machine',
      'Created: Created container: app',
      'Started: Started container app',
    ])
    expect(sim.last.dueAt).toBeUndefined()
  })

  it('reports nothing new when nothing has changed', () => {
    const sim = new Simulation(makePod())
    expect(sim.at(60)).toEqual({ events: [] })
  })

  it('waits for the start-up delay in ContainerCreating, then runs', () => {
    const sim = new Simulation(makePod({ 'sim.revkube.io/startup-seconds': '5' }))
    expect(sim.status.phase).toBe('Pending')
    expect(sim.container.state).toEqual({ waiting: { reason: 'ContainerCreating' } })
    expect(conditionOf(sim.status, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotReady',
      message: 'containers with unready status: [app]',
    })
    expect(sim.last.dueAt).toBe(Date.parse(at(5)))
    sim.at(5)
    expect(sim.status.phase).toBe('Running')
    expect(conditionOf(sim.status, 'Ready')).toEqual({ type: 'Ready', status: 'True', lastTransitionTime: at(5) })
    expect(conditionOf(sim.status, 'PodReadyToStartContainers').lastTransitionTime).toBe(T0)
  })

  it('becomes ready after the readiness probe initial delay, and never with never-ready', () => {
    const probed = new Simulation(
      makePod({}, { containers: [{ name: 'app', image: 'nginx', readinessProbe: { initialDelaySeconds: 8 } }] }),
    )
    expect(probed.container).toMatchObject({ ready: false, started: true })
    expect(probed.last.dueAt).toBe(Date.parse(at(8)))
    probed.at(8)
    expect(probed.container.ready).toBe(true)

    const never = new Simulation(makePod({ 'sim.revkube.io/never-ready': 'true' }))
    never.at(600)
    expect(never.status.phase).toBe('Running')
    expect(never.container).toMatchObject({ ready: false, started: true })
    expect(conditionOf(never.status, 'ContainersReady')).toMatchObject({ status: 'False', reason: 'ContainersNotReady' })
  })

  it('backs a crashing container off 10s, 20s, 40s … capped at 5m0s, counting restarts', () => {
    const sim = new Simulation(makePod({ 'sim.revkube.io/crash-after-seconds': '5' }))
    expect(sim.last.dueAt).toBe(Date.parse(at(5)))
    let t = 5
    const backOffs: string[] = []
    for (let restart = 0; restart < 7; restart++) {
      sim.at(t)
      const waiting = sim.container.state.waiting
      expect(waiting.reason).toBe('CrashLoopBackOff')
      backOffs.push(/back-off (\S+) /.exec(waiting.message)![1]!)
      expect(sim.container).toMatchObject({
        ready: false,
        started: false,
        restartCount: restart,
        lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: at(t) } },
      })
      expect(sim.status.phase).toBe('Running')
      expect(sim.last.events).toEqual([
        { type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container app in pod web_default(uid-1)' },
      ])
      const delay = (sim.last.dueAt! - Date.parse(at(t))) / 1000
      sim.at(t + delay - 1)
      expect(sim.container.state.waiting.reason).toBe('CrashLoopBackOff')
      t += delay
      sim.at(t)
      expect(sim.container).toMatchObject({ restartCount: restart + 1, ready: true, state: { running: { startedAt: at(t) } } })
      t += 5
    }
    expect(backOffs).toEqual(['10s', '20s', '40s', '1m20s', '2m40s', '5m0s', '5m0s'])
    expect(sim.container.state.waiting).toBeUndefined()
    sim.at(t)
    expect(sim.container.state.waiting.message).toBe('back-off 5m0s restarting failed container=app pod=web_default(uid-1)')
  })

  it('ends a pod that finishes: Succeeded on exit 0, Failed otherwise, per restartPolicy', () => {
    const done = new Simulation(makePod({ 'sim.revkube.io/run-seconds': '30' }, { restartPolicy: 'Never' }))
    done.at(30)
    expect(done.status.phase).toBe('Succeeded')
    expect(done.container.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed', startedAt: T0, finishedAt: at(30) })
    expect(done.status.conditions.map((c: any) => [c.type, c.status, c.reason])).toEqual([
      ['PodReadyToStartContainers', 'False', undefined],
      ['Initialized', 'True', 'PodCompleted'],
      ['Ready', 'False', 'PodCompleted'],
      ['ContainersReady', 'False', 'PodCompleted'],
      ['PodScheduled', 'True', undefined],
    ])
    expect(done.at(100)).toEqual({ events: [] })

    const failed = new Simulation(
      makePod({ 'sim.revkube.io/run-seconds': '3', 'sim.revkube.io/exit-code': '2' }, { restartPolicy: 'Never' }),
    )
    failed.at(3)
    expect(failed.status.phase).toBe('Failed')
    expect(failed.container.state.terminated).toMatchObject({ exitCode: 2, reason: 'Error' })

    const retried = new Simulation(makePod({ 'sim.revkube.io/crash-after-seconds': '3' }, { restartPolicy: 'OnFailure' }))
    retried.at(3)
    expect(retried.container.state.waiting.reason).toBe('CrashLoopBackOff')
  })

  it('runs the pods a Job controls for the default run time, then they succeed', () => {
    const owner = { ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: 'job-uid', controller: true }] }
    const sim = new Simulation(makePod({}, { restartPolicy: 'Never' }, owner))
    expect(sim.last.dueAt).toBe(Date.parse(at(5)))
    sim.at(5)
    expect(sim.status.phase).toBe('Succeeded')
  })

  it('restarts a container whose image the pod changes, counting the restart', () => {
    const sim = new Simulation(makePod())
    sim.pod = { ...sim.pod, spec: { ...(sim.pod.spec as JsonObject), containers: [{ name: 'app', image: 'nginx:1.26' }] } }
    sim.at(30)
    expect(sim.container).toMatchObject({
      image: 'docker.io/library/nginx:1.26',
      restartCount: 1,
      state: { running: { startedAt: at(30) } },
      lastState: { terminated: { exitCode: 0, reason: 'Completed', startedAt: T0, finishedAt: at(30) } },
    })
    expect(sim.last.events[0]).toEqual({
      type: 'Normal',
      reason: 'Killing',
      message: 'Container app definition changed, will be restarted',
    })
  })

  it('completes init containers when the pod is accepted', () => {
    const sim = new Simulation(makePod({}, { initContainers: [{ name: 'setup', image: 'busybox' }] }))
    expect(sim.status.initContainerStatuses).toEqual([
      expect.objectContaining({
        name: 'setup',
        image: 'docker.io/library/busybox:latest',
        ready: true,
        state: { terminated: expect.objectContaining({ exitCode: 0, reason: 'Completed' }) },
      }),
    ])
  })

  it('waits for a free IP before accepting a pod', () => {
    expect(stepPod(makePod(), { now: new Date(T0), hostIP: '172.18.0.2', podIP: undefined })).toEqual({ events: [] })
  })
})

describe('graceful deletion in the simulated kubelet', () => {
  const deleting = (annotations: Record<string, string>, grace = 30) => {
    const sim = new Simulation(makePod(annotations))
    const metadata = { ...(sim.pod.metadata as JsonObject), deletionTimestamp: at(100 + grace), deletionGracePeriodSeconds: grace }
    return { ...sim.pod, metadata }
  }

  it('stops the containers at once by default and reports the final status', () => {
    const stop = stopPod(deleting({}), new Date(at(100)))
    expect(stop.events).toEqual([{ type: 'Normal', reason: 'Killing', message: 'Stopping container app' }])
    expect(stop.eventTime.toISOString()).toBe(new Date(at(100)).toISOString())
    const status = stop.finalStatus as any
    expect(status.phase).toBe('Succeeded')
    expect(status.containerStatuses[0]).toMatchObject({
      ready: false,
      state: { terminated: { exitCode: 0, reason: 'Completed', finishedAt: at(100) } },
    })
    expect(conditionOf(status, 'Ready').status).toBe('False')
  })

  it('takes the shutdown time when a knob says so, and kills what outlasts the grace period', () => {
    const slow = deleting({ 'sim.revkube.io/shutdown-seconds': '10' })
    expect(stopPod(slow, new Date(at(105)))).toMatchObject({ dueAt: Date.parse(at(110)) })
    expect(stopPod(slow, new Date(at(105))).finalStatus).toBeUndefined()
    expect((stopPod(slow, new Date(at(110))).finalStatus as any).phase).toBe('Succeeded')

    const stubborn = deleting({ 'sim.revkube.io/shutdown-seconds': '60' }, 20)
    expect(stopPod(stubborn, new Date(at(110))).dueAt).toBe(Date.parse(at(120)))
    const killed = stopPod(stubborn, new Date(at(120))).finalStatus as any
    expect(killed.phase).toBe('Failed')
    expect(killed.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 137, reason: 'Error', finishedAt: at(120) })
  })
})

describe('kubelet formats', () => {
  it('prints back-off like Go durations and caps it, starting over after a long run', () => {
    expect([10, 80, 160, 300].map(goDuration)).toEqual(['10s', '1m20s', '2m40s', '5m0s'])
    expect([0, 1, 2, 5, 9].map((n) => backOffSeconds(n, 5))).toEqual([10, 20, 40, 300, 300])
    expect(backOffSeconds(6, 600)).toBe(10)
  })

  it('normalizes image names as the container runtime reports them', () => {
    expect(normalizedImage('nginx')).toBe('docker.io/library/nginx:latest')
    expect(normalizedImage('bitnami/redis:7')).toBe('docker.io/bitnami/redis:7')
    expect(normalizedImage('registry.k8s.io/pause:3.9')).toBe('registry.k8s.io/pause:3.9')
    expect(normalizedImage('localhost:5000/app')).toBe('localhost:5000/app:latest')
  })
})
