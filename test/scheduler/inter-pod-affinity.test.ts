import { describe, expect, it } from 'vitest'
import type { JsonObject } from '../../services/json.js'
import { interPodAffinity } from '../../services/scheduler/filters.js'
import { decide, filterOn, messageOf, node, pod } from './fixtures.js'

const term = (matchLabels: Record<string, string>, topologyKey = 'kubernetes.io/hostname', extra: JsonObject = {}) => ({
  labelSelector: { matchLabels },
  topologyKey,
  ...extra,
})
const affinity = (...terms: JsonObject[]) => ({ podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms } })
const antiAffinity = (...terms: JsonObject[]) => ({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms } })
const zoned = (name: string, zone?: string) => node(name, { labels: zone ? { zone } : {} })
/** Kubernetes' InterPodAffinity rejections (plugins/interpodaffinity/filtering.go): affinity is UnschedulableAndUnresolvable, the others Unschedulable. */
const affinityNotMatched = { reasons: ["node(s) didn't match pod affinity rules"], unresolvable: true }
const antiAffinityNotMatched = { reasons: ["node(s) didn't match pod anti-affinity rules"], unresolvable: false }
const existingAntiAffinityNotMatched = { reasons: ["node(s) didn't satisfy existing pods anti-affinity rules"], unresolvable: false }

describe('required pod affinity', () => {
  it('accepts only nodes in a domain holding a matching pod', () => {
    const cache = pod('cache', { labels: { app: 'cache' }, nodeName: 'a1' })
    const web = pod('web', { affinity: affinity(term({ app: 'cache' }, 'zone')) })
    expect(filterOn(interPodAffinity, zoned('a2', 'a'), web, [zoned('a1', 'a'), cache])).toBeUndefined()
    expect(filterOn(interPodAffinity, zoned('b1', 'b'), web, [zoned('a1', 'a'), cache])).toEqual(affinityNotMatched)
  })

  it('never accepts a node without the topology key', () => {
    const cache = pod('cache', { labels: { app: 'cache' }, nodeName: 'a1' })
    const web = pod('web', { affinity: affinity(term({ app: 'cache' }, 'zone')) })
    expect(filterOn(interPodAffinity, zoned('x'), web, [zoned('a1', 'a'), cache])).toEqual(affinityNotMatched)
  })

  it('lets the first pod of a group that matches its own term go anywhere', () => {
    const first = pod('web-0', { labels: { app: 'web' }, affinity: affinity(term({ app: 'web' }, 'zone')) })
    expect(filterOn(interPodAffinity, zoned('a1', 'a'), first)).toBeUndefined()
    const stranger = pod('web-0', { labels: { app: 'other' }, affinity: affinity(term({ app: 'web' }, 'zone')) })
    expect(filterOn(interPodAffinity, zoned('a1', 'a'), stranger)).toEqual(affinityNotMatched)
  })

  it('looks only in the pod’s namespace unless the term names others', () => {
    const cache = pod('cache', { namespace: 'other', labels: { app: 'cache' }, nodeName: 'a1' })
    const web = (extra: JsonObject) => pod('web', { affinity: affinity(term({ app: 'cache' }, 'zone', extra)) })
    const others = [zoned('a1', 'a'), cache]
    expect(filterOn(interPodAffinity, zoned('a1', 'a'), web({}), others)).toEqual(affinityNotMatched)
    expect(filterOn(interPodAffinity, zoned('a1', 'a'), web({ namespaces: ['other'] }), others)).toBeUndefined()
    expect(filterOn(interPodAffinity, zoned('a1', 'a'), web({ namespaceSelector: {} }), others)).toBeUndefined()
  })
})

describe('required pod anti-affinity', () => {
  it('rejects a node whose domain holds a matching pod; a node without the key is fine', () => {
    const db = pod('db-0', { labels: { app: 'db' }, nodeName: 'a1' })
    const next = pod('db-1', { labels: { app: 'db' }, affinity: antiAffinity(term({ app: 'db' }, 'zone')) })
    const others = [zoned('a1', 'a'), db]
    expect(filterOn(interPodAffinity, zoned('a2', 'a'), next, others)).toEqual(antiAffinityNotMatched)
    expect(filterOn(interPodAffinity, zoned('b1', 'b'), next, others)).toBeUndefined()
    expect(filterOn(interPodAffinity, zoned('x'), next, others)).toBeUndefined()
  })

  it('honours the anti-affinity of pods already placed (symmetry)', () => {
    const loner = pod('loner', { labels: { app: 'loner' }, nodeName: 'a1', affinity: antiAffinity(term({ app: 'web' })) })
    const web = pod('web', { labels: { app: 'web' } })
    expect(filterOn(interPodAffinity, zoned('a1', 'a'), web, [loner])).toEqual(existingAntiAffinityNotMatched)
    expect(filterOn(interPodAffinity, zoned('a2', 'a'), web, [zoned('a1', 'a'), loner])).toBeUndefined()
  })

  it('selects nothing with a term that has no label selector, and matches everything with an empty one', () => {
    const db = pod('db-0', { labels: { app: 'db' }, nodeName: 'a1' })
    const none = pod('p', { affinity: antiAffinity({ topologyKey: 'kubernetes.io/hostname' }) })
    expect(filterOn(interPodAffinity, zoned('a1'), none, [db])).toBeUndefined()
    const all = pod('p', { affinity: antiAffinity({ labelSelector: {}, topologyKey: 'kubernetes.io/hostname' }) })
    expect(filterOn(interPodAffinity, zoned('a1'), all, [db])).toEqual(antiAffinityNotMatched)
  })

  it('matches with matchExpressions', () => {
    const db = pod('db-0', { labels: { app: 'db', tier: 'data' }, nodeName: 'a1' })
    const expressions = (operator: string, values?: string[]) =>
      pod('p', {
        affinity: antiAffinity({
          labelSelector: { matchExpressions: [{ key: 'tier', operator, ...(values && { values }) }] },
          topologyKey: 'kubernetes.io/hostname',
        }),
      })
    expect(filterOn(interPodAffinity, zoned('a1'), expressions('In', ['data', 'x']), [db])).toEqual(antiAffinityNotMatched)
    expect(filterOn(interPodAffinity, zoned('a1'), expressions('NotIn', ['data']), [db])).toBeUndefined()
    expect(filterOn(interPodAffinity, zoned('a1'), expressions('Exists'), [db])).toEqual(antiAffinityNotMatched)
    expect(filterOn(interPodAffinity, zoned('a1'), expressions('DoesNotExist'), [db])).toBeUndefined()
  })

  it('reports a selector it cannot parse as a scheduler error, as Kubernetes does', () => {
    const bad = pod('p', {
      affinity: antiAffinity({
        labelSelector: { matchExpressions: [{ key: 'app', operator: 'Like', values: ['x'] }] },
        topologyKey: 'zone',
      }),
    })
    const result = decide([zoned('a1')], bad)
    expect(result.outcome).toBe('error')
    expect(messageOf(result)).toBe(
      'running PreFilter plugin "InterPodAffinity": parsing pod: "Like" is not a valid label selector operator',
    )
  })
})

describe('preferred pod affinity', () => {
  it('draws a pod towards the domain of the pods it prefers and away from those it avoids', () => {
    const nodes = [zoned('a1', 'a'), zoned('b1', 'b'), zoned('c1', 'c')]
    const cache = pod('cache', { labels: { app: 'cache' }, nodeName: 'b1' })
    const noisy = pod('noisy', { labels: { app: 'noisy' }, nodeName: 'a1' })
    const prefers = pod('web', {
      affinity: {
        podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term({ app: 'cache' }, 'zone') }] },
      },
    })
    expect(decide([...nodes, cache, noisy], prefers)).toMatchObject({ outcome: 'scheduled', node: 'b1' })
    const avoids = pod('web', {
      affinity: {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term({ app: 'noisy' }, 'zone') }],
        },
      },
    })
    expect(decide([...nodes, noisy], avoids)).toMatchObject({ node: 'b1' })
  })

  it('draws a pod towards a placed pod whose required affinity it matches', () => {
    const nodes = [zoned('a1', 'a'), zoned('b1', 'b')]
    const sidecar = pod('sidecar', { nodeName: 'b1', affinity: affinity(term({ app: 'web' }, 'zone')) })
    expect(decide([...nodes, sidecar], pod('web', { labels: { app: 'web' } }))).toMatchObject({ node: 'b1' })
  })
})
