import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { JsonObject } from '../../services/json.js'
import { createScheduler } from '../../services/scheduler/scheduler.controller.js'
import { decide, node, pod, stateOf } from './fixtures.js'

/** Shapes a user may write where the scheduler expects something else: anything JSON, or almost-right objects. */
const junk = fc.oneof(
  fc.jsonValue(),
  fc.record({
    key: fc.oneof(fc.string(), fc.integer()),
    operator: fc.constantFrom('In', 'NotIn', 'Exists', 'Gt', 'Lt', 'Like', ''),
    values: fc.oneof(fc.array(fc.string()), fc.string()),
  }),
)
const podSpec = fc.record(
  {
    containers: fc.oneof(
      fc.jsonValue(),
      fc.constant([
        { name: 'c', resources: { requests: { cpu: 'x1', memory: -5, 'example.com/gpu': '1.5' } }, ports: [{ hostPort: '80' }] },
      ]),
    ),
    initContainers: fc.jsonValue(),
    overhead: fc.jsonValue(),
    nodeSelector: fc.jsonValue(),
    tolerations: fc.oneof(fc.jsonValue(), fc.array(fc.record({ key: junk, operator: junk, effect: junk }))),
    affinity: fc.oneof(
      fc.jsonValue(),
      fc.record({
        nodeAffinity: fc.record({
          requiredDuringSchedulingIgnoredDuringExecution: fc.record({
            nodeSelectorTerms: fc.array(fc.record({ matchExpressions: fc.array(junk), matchFields: fc.array(junk) })),
          }),
          preferredDuringSchedulingIgnoredDuringExecution: fc.array(
            fc.record({ weight: fc.jsonValue(), preference: fc.record({ matchExpressions: fc.array(junk) }) }),
          ),
        }),
        podAntiAffinity: fc.record({
          requiredDuringSchedulingIgnoredDuringExecution: fc.array(
            fc.record({
              labelSelector: fc.oneof(fc.jsonValue(), fc.record({ matchExpressions: fc.array(junk) })),
              topologyKey: junk,
              namespaceSelector: fc.jsonValue(),
            }),
          ),
          preferredDuringSchedulingIgnoredDuringExecution: fc.array(fc.record({ weight: fc.jsonValue(), podAffinityTerm: fc.jsonValue() })),
        }),
      }),
    ),
    topologySpreadConstraints: fc.oneof(
      fc.jsonValue(),
      fc.array(
        fc.record({
          maxSkew: fc.jsonValue(),
          topologyKey: junk,
          whenUnsatisfiable: fc.constantFrom('DoNotSchedule', 'ScheduleAnyway', 'x'),
          labelSelector: fc.jsonValue(),
          minDomains: fc.jsonValue(),
          matchLabelKeys: fc.jsonValue(),
        }),
      ),
    ),
    preemptionPolicy: fc.jsonValue(),
    priority: fc.jsonValue(),
  },
  { requiredKeys: [] },
)
const nodeJunk = fc.record(
  { taints: fc.jsonValue(), allocatable: fc.jsonValue(), labels: fc.jsonValue(), conditions: fc.jsonValue() },
  { requiredKeys: [] },
)

describe('bad input', () => {
  it('never throws, whatever a pod or node says, and answers with a decision, a verdict or an error', () => {
    fc.assert(
      fc.property(podSpec, nodeJunk, (spec, n) => {
        const strange = node('strange')
        const status = strange.status as JsonObject
        if ('taints' in n) strange.spec = { taints: n.taints }
        if ('allocatable' in n) status.allocatable = n.allocatable
        if ('conditions' in n) status.conditions = n.conditions
        if ('labels' in n) (strange.metadata as JsonObject).labels = n.labels
        const candidate = pod('p')
        candidate.spec = { ...(candidate.spec as JsonObject), ...(spec as JsonObject) }
        const result = decide([strange, node('plain'), pod('placed', { nodeName: 'plain', labels: { app: 'x' } })], candidate)
        expect(['scheduled', 'unschedulable', 'error']).toContain(result.outcome)
        if (result.outcome !== 'scheduled') expect(result.message).toMatch(/\S/)
        const scheduler = createScheduler()
        expect(() => scheduler.reconcile('default/p', stateOf([strange, candidate]), new Date(0))).not.toThrow()
      }),
      { numRuns: 400 },
    )
  })
})
