import { describe, expect, it } from 'vitest'
import type { Controller } from '../../services/runtime/controller.js'
import { created, deleted, ReconcilerSpecification, recorded, secondsFromNow, statusWritten } from '../support/given.js'

/** A toy reconciler: a ConfigMap `<name>` wants a Secret `<name>`, deletes `<name>-old`, and looks again in a minute. */
const toy: Controller = {
  name: 'toy',
  keysFor: () => [],
  allKeys: () => [],
  reconcile: (key, state, now) => {
    const [namespace, name] = key.split('/') as [string, string]
    if (!state.objects.get('ConfigMap')?.get(namespace)?.get(name)) return { actions: [] }
    return {
      actions: [
        [{ type: 'create', object: { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace } } }],
        { type: 'delete', kind: 'Secret', namespace, name: `${name}-old` },
        { type: 'create', object: { kind: 'Event', type: 'Normal', reason: 'Made', message: `made ${name} at ${now.toISOString()}` } },
      ],
      requeueAfterMs: 60_000,
    }
  },
}
const given = ReconcilerSpecification.for(toy)
const settings = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' } }
const failure = (check: () => void) => {
  try {
    check()
  } catch (error) {
    return (error as Error).message
  }
  throw new Error('the check passed')
}

describe('a reconciler specification', () => {
  it('passes when the writes match, in order, each as a subset', () => {
    given(settings)
      .when('default/settings')
      .thenRequeuesAfter(60_000)
      .thenIncludes(deleted('Secret', 'default/settings-old'))
      .thenExcludes(deleted('Secret', 'default/settings'))
      .then(
        created('Secret', { metadata: { name: 'settings' } }),
        deleted('Secret', 'default/settings-old'),
        recorded('Normal', 'Made', /^made settings at /),
      )
    given().when('default/settings').thenNothing()
  })

  it('stores the given objects as the API would: namespace, uid, creation time, revision', () => {
    const { state } = given(settings)
    expect(state.objects.get('ConfigMap')?.get('default')?.get('settings')?.metadata).toEqual({
      name: 'settings',
      namespace: 'default',
      uid: 'uid-configmap-settings',
      creationTimestamp: secondsFromNow(-3600),
      resourceVersion: '1',
    })
  })

  it('says what was given, expected and returned, and where the first write differs', () => {
    const message = failure(() =>
      given(settings)
        .when('default/settings')
        .then(created('Secret', { metadata: { name: 'other' } }), deleted('Secret', 'default/settings-old'), recorded('Normal', 'Made')),
    )
    expect(message).toBe(
      [
        'given:',
        '   1. ConfigMap default/settings',
        'when default/settings is reconciled at 2026-11-26T12:00:00.000Z',
        'then expected 3 writes:',
        '   1. create Secret like {"metadata":{"name":"other"}}',
        '   2. delete Secret default/settings-old',
        '   3. event Normal Made',
        'but it returned 3 writes:',
        '   1. create Secret default/settings   [step 1]',
        '   2. delete Secret default/settings-old   [step 2]',
        '   3. event Normal Made "made settings at 2026-11-26T12:00:00.000Z"   [step 3]',
        'and asked to be requeued after 60000 ms',
        'the first that differs, #1:',
        '  object.metadata.name: expected "other", got "settings"',
      ].join('\n'),
    )
  })

  it('names the expected writes nothing matches and the writes nothing expected', () => {
    const message = failure(() =>
      given(settings)
        .when('default/settings')
        .then(statusWritten('ConfigMap', 'default/settings', { ok: true })),
    )
    expect(message).toContain(
      'then expected 1 write:\n   1. updateStatus ConfigMap default/settings {"ok":true}\nbut it returned 3 writes:',
    )
    expect(message).toMatch(/no write matches expected #1\nnothing expected matches write #1, #2, #3$/)
  })

  it('fails a requeue, an inclusion or an exclusion that does not hold', () => {
    expect(failure(() => given(settings).when('default/settings').thenRequeuesAfter(undefined))).toContain(
      'then expected no requeue\nbut it returned 3 writes',
    )
    expect(failure(() => given(settings).when('default/settings').thenIncludes(deleted('Secret', 'default/x')))).toMatch(
      /no write matches #1$/,
    )
    expect(failure(() => given(settings).when('default/settings').thenExcludes(deleted('Secret', 'default/settings-old')))).toMatch(
      /but #2 is one$/,
    )
  })
})
