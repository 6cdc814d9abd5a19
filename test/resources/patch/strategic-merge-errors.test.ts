import { describe, expect, it } from 'vitest'
import { applyStrategicMergePatch } from '../../../services/resources/patch/strategic-merge-patch.js'
import { frozen } from './deep-freeze.js'
import { type ExpectedStatus, badRequest, expectStatus, rejected } from './expect-status.js'

const pod = {
  metadata: { name: 'web', finalizers: ['a'] },
  spec: { containers: [{ name: 'app', image: 'app:1' }], imagePullSecrets: [] },
}

const cases: [string, unknown, ExpectedStatus][] = [
  [
    'an unknown $patch on a map',
    { metadata: { labels: { $patch: 'frobnicate', app: 'web' } } },
    badRequest('unknown patch type: frobnicate in map: map[$patch:frobnicate app:web]'),
  ],
  [
    'an unknown $patch on a list item',
    { spec: { containers: [{ name: 'app', $patch: 'frobnicate' }] } },
    badRequest('unknown patch type: frobnicate in map: map[$patch:frobnicate name:app]'),
  ],
  ['a $patch that is not a string', { metadata: { $patch: 5 } }, badRequest('unknown patch type: %!s(int64=5) in map: map[$patch:5]')],
  [
    'a container without its merge key',
    { spec: { containers: [{ image: 'nginx' }] } },
    badRequest('map: map[image:nginx] does not contain declared merge key: name'),
  ],
  [
    'a $patch: delete item without its merge key',
    { spec: { containers: [{ $patch: 'delete' }] } },
    badRequest('map: map[$patch:delete] does not contain declared merge key: name'),
  ],
  ['a list of lists where items should merge', { spec: { imagePullSecrets: [['app']] } }, rejected('lists of lists are not supported')],
  [
    'a merged list whose patch items differ in type from the original items',
    { spec: { containers: [['app']] } },
    badRequest('list element types are not identical: [[map[image:app:1 name:app]] [[app]]]'),
  ],
  ['a merged list mixing types', { metadata: { finalizers: [1] } }, badRequest('list element types are not identical: [[a] [1]]')],
  ['$retainKeys that is not a list', { metadata: { $retainKeys: 'name' } }, badRequest('invalid patch format of retainKeys')],
  [
    '$retainKeys listing something other than strings',
    { metadata: { $retainKeys: ['name', 1] } },
    badRequest('invalid patch format of retainKeys'),
  ],
  [
    'a key $retainKeys does not list',
    { metadata: { $retainKeys: ['name'], labels: { a: 'b' } } },
    badRequest('invalid patch format of retainKeys'),
  ],
  [
    '$deleteFromPrimitiveList without a field',
    { metadata: { $deleteFromPrimitiveList: ['a'] } },
    badRequest('invalid patch format of primitive list'),
  ],
  [
    '$deleteFromPrimitiveList with objects',
    { metadata: { '$deleteFromPrimitiveList/finalizers': [{ a: 1 }] } },
    badRequest('invalid patch format of primitive list'),
  ],
  [
    '$setElementOrder without a field',
    { spec: { $setElementOrder: [{ name: 'app' }] } },
    badRequest('invalid patch format of setElementOrder list'),
  ],
  [
    '$setElementOrder that is not a list',
    { spec: { '$setElementOrder/containers': 'app' } },
    badRequest('expected a []interface {}, but received a string'),
  ],
  [
    '$setElementOrder entries without the merge key',
    { spec: { '$setElementOrder/containers': [{ image: 'x' }] } },
    badRequest('map: map[image:x] does not contain declared merge key: name'),
  ],
  [
    'a patch list in another order than $setElementOrder',
    {
      spec: {
        '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }],
        containers: [{ name: 'a' }, { name: 'b' }],
      },
    },
    badRequest(
      "The order in patch list:\n[map[name:a] map[name:b]]\n doesn't match $setElementOrder list:\n" + '[map[name:b] map[name:a]]\n',
    ),
  ],
  [
    'a patch that is a list, not an object',
    [{ op: 'add' }],
    badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}'),
  ],
]

describe("applyStrategicMergePatch: errors in Kubernetes' words, every one a client error", () => {
  it.each(cases)('rejects %s', (_, patch, expected) => {
    expectStatus(() => applyStrategicMergePatch(frozen(pod), frozen(patch), 'Pod'), expected)
  })
})

describe('applyStrategicMergePatch: values quoted in errors are cut short', () => {
  it('quotes the first 256 characters of a map with an unknown $patch', () => {
    const patch = { metadata: { labels: { $patch: 'bogus', big: 'x'.repeat(100_000) } } }
    const quoted = `map[$patch:bogus big:${'x'.repeat(256 - 'map[$patch:bogus big:'.length)}...(truncated)`
    expectStatus(
      () => applyStrategicMergePatch(frozen(pod), frozen(patch), 'Pod'),
      badRequest(`unknown patch type: bogus in map: ${quoted}`),
    )
  })

  it('quotes a large stored list cut short when the patch mixes types', () => {
    const big = { ...pod, metadata: { ...pod.metadata, finalizers: Array.from({ length: 10_000 }, (_, i) => `f${i}`) } }
    let message = ''
    try {
      applyStrategicMergePatch(frozen(big), { metadata: { finalizers: [1] } }, 'Pod')
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toMatch(/^list element types are not identical: \[\[f0 f1 f2 .*\.\.\.\(truncated\)$/)
    expect(message.length).toBeLessThan(400)
  })
})
