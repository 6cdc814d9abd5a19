import type { Command, CommandContext } from '../command.js'
import {
  describeConditions,
  describeContainers,
  describeEvents,
  describePodTemplate,
  describeTime,
  DescribeWriter,
  selectorText,
} from '../describe.js'
import { parseTargets, resolveKind, type ApiResource } from '../kinds.js'
import { toYaml } from '../output.js'
import { atFlag, atOf, getObject, listObjects, selectorFlags } from '../reads.js'
import type { At } from '../at.js'

type Json = Record<string, unknown>
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {})
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])

export const describe: Command = {
  name: 'describe',
  summary: 'Show the details of objects, with their Events',
  usage: 'describe KIND [NAME ...] | KIND/NAME [flags]',
  examples: ['revkube describe deploy web', 'revkube describe pods -l app=web', 'revkube describe node/sim-node-1 --at -1h'],
  flags: [...selectorFlags.filter((f) => f.name === 'selector'), atFlag],
  run: async (ctx) => {
    const at = atOf(ctx)
    const targets = await parseTargets(ctx, ctx.args, false)
    const objects: Array<{ resource: ApiResource; object: Json }> = []
    for (const { resource, name } of targets) {
      if (name !== undefined) objects.push({ resource, object: await getObject(ctx, resource, name, at) })
      else {
        const { items } = await listObjects(ctx, resource, {
          namespace: ctx.namespace,
          ...(ctx.flags.selector !== undefined && { labelSelector: ctx.flags.selector as string }),
          ...(at && { at }),
        })
        objects.push(...items.map((object) => ({ resource, object })))
      }
    }
    if (objects.length === 0) ctx.io.err(`No resources found in ${ctx.namespace} namespace.\n`)
    const texts: string[] = []
    for (const { resource, object } of objects) texts.push(await describeObject(ctx, resource, object, at))
    ctx.io.out(texts.join('\n\n'))
  },
}

async function describeObject(ctx: CommandContext, resource: ApiResource, o: Json, at: At | undefined): Promise<string> {
  const w = new DescribeWriter()
  const m = obj(o.metadata)
  const spec = obj(o.spec)
  const status = obj(o.status)
  w.field(0, 'Name', String(m.name))
  if (resource.namespaced) w.field(0, 'Namespace', String(m.namespace))
  if (resource.kind !== 'Pod') w.field(0, 'CreationTimestamp', describeTime(m.creationTimestamp))
  w.map(0, 'Labels', m.labels)
  w.map(0, 'Annotations', m.annotations, ': ')
  if (m.deletionTimestamp) w.field(0, 'Status', `Terminating (lasts ${String(m.deletionGracePeriodSeconds ?? 0)}s)`)
  w.field(0, 'Revision', String(m.resourceVersion))
  switch (resource.kind) {
    case 'Deployment': {
      const rolling = obj(obj(spec.strategy).rollingUpdate)
      w.field(0, 'Selector', selectorText(spec.selector))
      const unavailable = Number(status.unavailableReplicas ?? 0)
      w.field(
        0,
        'Replicas',
        `${String(spec.replicas ?? 1)} desired | ${String(status.updatedReplicas ?? 0)} updated | ${String(status.replicas ?? 0)} total | ${String(status.availableReplicas ?? 0)} available | ${unavailable} unavailable`,
      )
      w.field(0, 'StrategyType', String(obj(spec.strategy).type ?? 'RollingUpdate'))
      w.field(0, 'MinReadySeconds', String(spec.minReadySeconds ?? 0))
      if (obj(spec.strategy).type !== 'Recreate')
        w.field(
          0,
          'RollingUpdateStrategy',
          `${String(rolling.maxUnavailable ?? '25%')} max unavailable, ${String(rolling.maxSurge ?? '25%')} max surge`,
        )
      w.field(0, 'Pod Template')
      describePodTemplate(w, 2, spec.template)
      describeConditions(w, status.conditions)
      const replicaSets = (
        await listObjects(ctx, await resolveKind(ctx, 'replicasets'), { namespace: String(m.namespace), ...(at && { at }) })
      ).items.filter((rs) => arr(obj(rs.metadata).ownerReferences).some((r) => obj(r).uid === m.uid))
      const revision = obj(m.annotations)['deployment.kubernetes.io/revision']
      const isNew = (rs: Json) => obj(obj(rs.metadata).annotations)['deployment.kubernetes.io/revision'] === revision
      const line = (rs: Json) =>
        `${String(obj(rs.metadata).name)} (${String(obj(rs.status).replicas ?? 0)}/${String(obj(rs.spec).replicas ?? 0)} replicas created)`
      const old = replicaSets.filter((rs) => !isNew(rs) && Number(obj(rs.spec).replicas ?? 0) > 0)
      w.field(0, 'OldReplicaSets', old.length ? old.map(line).join(', ') : '<none>')
      const current = replicaSets.find(isNew)
      w.field(0, 'NewReplicaSet', current ? line(current) : '<none>')
      break
    }
    case 'ReplicaSet':
    case 'ReplicationController': {
      w.field(0, 'Selector', selectorText(spec.selector))
      const owner = arr(m.ownerReferences)
        .map(obj)
        .find((r) => r.controller)
      if (owner) w.field(0, 'Controlled By', `${String(owner.kind)}/${String(owner.name)}`)
      w.field(0, 'Replicas', `${String(status.replicas ?? 0)} current / ${String(spec.replicas ?? 1)} desired`)
      w.field(0, 'Pods Status', `${String(status.readyReplicas ?? 0)} Running / 0 Waiting / 0 Succeeded / 0 Failed`)
      w.field(0, 'Pod Template')
      describePodTemplate(w, 2, spec.template)
      describeConditions(w, status.conditions)
      break
    }
    case 'Pod': {
      w.field(0, 'Priority', String(spec.priority ?? 0))
      w.field(0, 'Service Account', String(spec.serviceAccountName ?? 'default'))
      w.field(0, 'Node', spec.nodeName ? `${String(spec.nodeName)}/${String(status.hostIP ?? '')}` : '<none>')
      w.field(0, 'Start Time', describeTime(status.startTime))
      w.field(0, 'Status', m.deletionTimestamp ? 'Terminating' : String(status.phase ?? 'Pending'))
      w.field(0, 'IP', String(status.podIP ?? ''))
      const owner = arr(m.ownerReferences)
        .map(obj)
        .find((r) => r.controller)
      w.field(0, 'Controlled By', owner ? `${String(owner.kind)}/${String(owner.name)}` : '<none>')
      describeContainers(w, 0, arr(spec.containers), arr(status.containerStatuses))
      describeConditions(w, status.conditions, ['Status'])
      w.field(0, 'QoS Class', String(status.qosClass ?? 'BestEffort'))
      w.map(0, 'Node-Selectors', spec.nodeSelector, '=')
      const tolerations = arr(spec.tolerations).map(obj)
      w.field(0, 'Tolerations', tolerations.length ? '' : '<none>')
      for (const t of tolerations) {
        w.raw(
          2,
          `${String(t.key ?? '')}${t.operator === 'Exists' ? '' : `=${String(t.value ?? '')}`}:${String(t.effect ?? '')}${t.tolerationSeconds !== undefined ? ` op=${String(t.operator ?? 'Equal')} for ${String(t.tolerationSeconds)}s` : ''}`,
        )
      }
      break
    }
    case 'Service': {
      w.map(0, 'Selector', spec.selector)
      w.field(0, 'Type', String(spec.type ?? 'ClusterIP'))
      w.field(0, 'IP', String(spec.clusterIP ?? '<none>'))
      for (const p of arr(spec.ports).map(obj)) {
        w.field(0, 'Port', `${String(p.name ?? '<unset>')}  ${String(p.port)}/${String(p.protocol ?? 'TCP')}`)
        w.field(0, 'TargetPort', `${String(p.targetPort ?? p.port)}/${String(p.protocol ?? 'TCP')}`)
        if (p.nodePort) w.field(0, 'NodePort', `${String(p.name ?? '<unset>')}  ${String(p.nodePort)}/${String(p.protocol ?? 'TCP')}`)
      }
      const endpoints = await listObjects(ctx, await resolveKind(ctx, 'endpoints'), {
        namespace: String(m.namespace),
        fieldSelector: `metadata.name=${String(m.name)}`,
        ...(at && { at }),
      })
      const addresses = endpoints.items.flatMap((e) =>
        arr(e.subsets).flatMap((s) =>
          arr(obj(s).addresses).flatMap((a) => arr(obj(s).ports).map((p) => `${String(obj(a).ip)}:${String(obj(p).port)}`)),
        ),
      )
      w.field(0, 'Endpoints', addresses.join(',') || '<none>')
      w.field(0, 'Session Affinity', String(spec.sessionAffinity ?? 'None'))
      break
    }
    case 'Node': {
      w.field(0, 'Unschedulable', spec.unschedulable ? 'true' : 'false')
      const taints = arr(spec.taints).map(obj)
      w.field(
        0,
        'Taints',
        taints.length
          ? taints.map((t) => `${String(t.key)}${t.value ? `=${String(t.value)}` : ''}:${String(t.effect)}`).join(', ')
          : '<none>',
      )
      describeConditions(w, status.conditions)
      w.field(0, 'Addresses')
      for (const a of arr(status.addresses).map(obj)) w.field(2, String(a.type), String(a.address))
      for (const part of ['capacity', 'allocatable']) {
        w.field(0, part.charAt(0).toUpperCase() + part.slice(1))
        for (const [k, v] of Object.entries(obj(status[part]))) w.field(2, k, String(v))
      }
      w.field(0, 'PodCIDR', String(spec.podCIDR ?? '<none>'))
      break
    }
    default: {
      // Kinds without a describer of their own: the rest of the object, as YAML.
      const rest = Object.fromEntries(Object.entries(o).filter(([k]) => !['apiVersion', 'kind', 'metadata'].includes(k)))
      if (Object.keys(rest).length) w.raw(0, toYaml(rest))
    }
  }
  const events = await listObjects(ctx, await resolveKind(ctx, 'events'), {
    namespace: resource.namespaced ? String(m.namespace) : 'default',
    fieldSelector: `involvedObject.kind=${resource.kind},involvedObject.name=${String(m.name)}`,
    ...(at && { at }),
  })
  describeEvents(
    w,
    events.items.filter((e) => !obj(e.involvedObject).uid || obj(e.involvedObject).uid === m.uid),
    ctx.io.now(),
  )
  return w.toString()
}
