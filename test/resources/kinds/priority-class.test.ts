import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ResourceApi } from '../../../services/api/resource-api.js'
import { StatusError } from '../../../services/errors.js'
import type { JsonObject } from '../../../services/json.js'
import { backend, openTestStore, type TestStore } from '../../support/store.js'
import { create, createErrors, edited, update, updateErrors } from './harness.js'
import { minimal } from './manifests.js'

const high = minimal.PriorityClass!
const named = (name: string, more: JsonObject = {}): JsonObject => ({
  ...edited(high, (o) => ((o.metadata as JsonObject).name = name)),
  ...more,
})

describe('PriorityClass', () => {
  it('is cluster-scoped, with value 0 and the PreemptLowerPriority policy by default', () => {
    expect(create(high)).toMatchObject({
      apiVersion: 'scheduling.k8s.io/v1',
      metadata: { name: 'high' },
      value: 1000,
      preemptionPolicy: 'PreemptLowerPriority',
    })
    expect(create(named('zero', { value: undefined }))).toMatchObject({ value: 0 })
    expect(create(named('gentle', { preemptionPolicy: 'Never', description: 'waits its turn' }))).toMatchObject({
      preemptionPolicy: 'Never',
      description: 'waits its turn',
    })
  })

  it('refuses values above 1,000,000,000 for user classes, and unknown preemption policies', () => {
    expect(create(named('top', { value: 1_000_000_000 }))).toMatchObject({ value: 1_000_000_000 })
    expect(createErrors(named('too-high', { value: 1_000_000_001 }))).toEqual([
      'value: Forbidden: maximum allowed value of a user defined priority is 1000000000',
    ])
    expect(createErrors(named('odd', { preemptionPolicy: 'Sometimes' }))).toEqual([
      'preemptionPolicy: Unsupported value: "Sometimes": supported values: "PreemptLowerPriority", "Never"',
    ])
    expect(createErrors(named('empty', { preemptionPolicy: '' }))).toEqual(['preemptionPolicy: Required value'])
  })

  it("reserves names starting system- for the system's own classes, exactly as they are", () => {
    const reserved = "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: "
    expect(createErrors(named('system-mine'))).toEqual([`${reserved}system-mine is not a known system priority class`])
    expect(createErrors(named('system-cluster-critical'))).toEqual([
      `${reserved}value of system-cluster-critical PriorityClass must be 2000000000`,
    ])
    expect(createErrors(named('system-node-critical', { value: 2_000_001_000, globalDefault: true }))).toEqual([
      `${reserved}globalDefault of system-node-critical PriorityClass must be false`,
    ])
    expect(create(named('system-cluster-critical', { value: 2_000_000_000 }))).toMatchObject({ value: 2_000_000_000 })
  })

  it('keeps value and preemptionPolicy from changing, but not the description or globalDefault', () => {
    expect(updateErrors(high, (o) => (o.value = 2000))).toEqual(['value: Forbidden: may not be changed in an update.'])
    expect(updateErrors(high, (o) => (o.preemptionPolicy = 'Never'))).toEqual([
      'preemptionPolicy: Invalid value: "Never": field is immutable',
    ])
    expect(update(high, (o) => Object.assign(o, { description: 'urgent', globalDefault: true }))).toMatchObject({
      description: 'urgent',
      globalDefault: true,
    })
  })
})

describe(`PriorityClass admission (${backend})`, () => {
  let t: TestStore
  let api: ResourceApi
  beforeAll(async () => {
    t = await openTestStore()
    api = new ResourceApi({ store: t.store })
  })
  afterAll(() => t.cleanup())
  const ctx = { actor: 'admin' }
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => (error instanceof StatusError ? [error.reason, error.message] : error),
    )

  it('lets at most one class be the global default', async () => {
    await api.create(ctx, named('default-low', { value: 100, globalDefault: true }))
    await api.create(ctx, named('other', { value: 200 }))
    const taken = 'PriorityClass default-low is already marked as default. Only one default can exist'
    expect(await refusal(api.create(ctx, named('default-high', { value: 300, globalDefault: true })))).toEqual([
      'Forbidden',
      `priorityclasses.scheduling.k8s.io "default-high" is forbidden: ${taken}`,
    ])
    expect(await refusal(api.patch(ctx, 'pc', undefined, 'other', { globalDefault: true }, 'merge'))).toEqual([
      'Forbidden',
      `priorityclasses.scheduling.k8s.io "other" is forbidden: ${taken}`,
    ])
    // The default itself may be updated; once it gives the role up, another may take it.
    await api.patch(ctx, 'pc', undefined, 'default-low', { description: 'the default' }, 'merge')
    await api.patch(ctx, 'pc', undefined, 'default-low', { globalDefault: false }, 'merge')
    expect(await api.patch(ctx, 'pc', undefined, 'other', { globalDefault: true }, 'merge')).toMatchObject({ globalDefault: true })
  })
})
