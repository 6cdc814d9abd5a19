import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { emptyState, getObject, listObjects, ownedBy, podsOnNode, servicesSelecting, withLabel } from '../../projections/cluster-state.js'
import { evolve } from '../../projections/evolve.js'
import { stateAt } from '../../projections/state-at.js'
import type { LogEvent } from '../../services/store/commands.js'

let revision = 0
const event = (type: string, kind: string, namespace: string, name: string, object: Record<string, unknown> = {}): LogEvent => ({
  revision: ++revision,
  txRevision: revision,
  type,
  kind,
  namespace,
  name,
  uid: `uid-${name}`,
  object: { kind, ...object, metadata: { name, namespace, uid: `uid-${name}`, ...((object.metadata as object) ?? {}) } },
  meta: {},
  committedAt: new Date(0),
})
const pod = (name: string, extra: { node?: string; labels?: Record<string, string>; owner?: string }, type = 'Created') =>
  event(type, 'Pod', 'default', name, {
    metadata: {
      labels: extra.labels ?? {},
      ...(extra.owner && { ownerReferences: [{ uid: extra.owner, kind: 'ReplicaSet', name: 'rs' }] }),
    },
    spec: { ...(extra.node && { nodeName: extra.node }) },
  })

describe('evolve', () => {
  it('folds an object whose labels are not all strings, indexing only the string ones (found by the scheduler fuzzing)', () => {
    revision = 0
    const state = emptyState()
    const odd = event('Created', 'Pod', 'default', 'odd', { metadata: { labels: { app: 'web', '': { toString: null }, n: 3 } } })
    expect(() => evolve(state, odd)).not.toThrow()
    expect(withLabel(state, 'Pod', 'app', 'web').map((p) => (p.metadata as { name: string }).name)).toEqual(['odd'])
    expect(withLabel(state, 'Pod', 'n', '3')).toEqual([])
  })

  it('keeps objects and the indexes controllers look things up by', () => {
    revision = 0
    const state = emptyState()
    const log = [
      pod('a', { node: 'n1', labels: { app: 'web' }, owner: 'rs-1' }),
      pod('b', { node: 'n1', labels: { app: 'db' } }),
      event('Created', 'Service', 'default', 'web', { spec: { selector: { app: 'web' } } }),
      pod('a', { node: 'n2', labels: { app: 'web' }, owner: 'rs-1' }, 'Updated'),
      event('Deleted', 'Pod', 'default', 'b', {}),
    ]
    for (const e of log) evolve(state, e)
    expect(state.revision).toBe(5)
    expect(listObjects(state, 'Pod').map((p) => (p.metadata as { name: string }).name)).toEqual(['a'])
    expect(podsOnNode(state, 'n1')).toEqual([])
    expect(podsOnNode(state, 'n2').map((p) => (p.metadata as { name: string }).name)).toEqual(['a'])
    expect(ownedBy(state, 'rs-1').length).toBe(1)
    expect(withLabel(state, 'Pod', 'app', 'db')).toEqual([])
    expect(servicesSelecting(state, getObject(state, 'Pod', 'default', 'a')!).map((s) => (s.metadata as { name: string }).name)).toEqual([
      'web',
    ])
  })

  it('changes nothing when the same events are applied again', () => {
    revision = 0
    const log = Array.from({ length: 50 }, (_, i) =>
      pod(`p${i % 7}`, { node: `n${i % 3}`, labels: { i: String(i % 4) } }, i < 7 ? 'Created' : 'Updated'),
    )
    const once = emptyState()
    for (const e of log) evolve(once, e)
    const twice = emptyState()
    for (const e of [...log, ...log]) evolve(twice, e)
    expect(twice).toEqual(once)
  })

  it('folds any prefix of the log into the state at that revision (stateAt)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ name: fc.constantFrom('a', 'b', 'c'), del: fc.boolean(), node: fc.constantFrom('n1', 'n2') }), {
          maxLength: 30,
        }),
        fc.nat(),
        async (steps, cut) => {
          revision = 0
          const alive = new Set<string>()
          const log: LogEvent[] = []
          for (const s of steps) {
            if (s.del && alive.has(s.name)) {
              log.push(event('Deleted', 'Pod', 'default', s.name))
              alive.delete(s.name)
            } else if (!s.del) {
              log.push(pod(s.name, { node: s.node }, alive.has(s.name) ? 'Updated' : 'Created'))
              alive.add(s.name)
            }
          }
          const at = log.length === 0 ? 0 : cut % (log.length + 1)
          const folded = await stateAt([log], at)
          const reference = new Map<string, unknown>()
          for (const e of log.slice(0, at)) {
            if (e.type === 'Deleted') reference.delete(e.name)
            else reference.set(e.name, e.object)
          }
          expect(listObjects(folded, 'Pod')).toEqual([...reference.keys()].sort().map((k) => reference.get(k)))
        },
      ),
    )
  })
})
