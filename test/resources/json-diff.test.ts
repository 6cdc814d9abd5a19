import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { jsonDiff } from '../../services/resources/json-diff.js'
import { applyJsonPatch } from '../../services/resources/patch/json-patch.js'

describe('jsonDiff', () => {
  it('describes a change of a Deployment as RFC 6902 operations', () => {
    const before = { metadata: { labels: { app: 'web', 'a/b': 'x' } }, spec: { replicas: 1, containers: [{ image: 'nginx:1.25' }] } }
    const after = { metadata: { labels: { app: 'web' } }, spec: { replicas: 3, containers: [{ image: 'nginx:1.26' }, { image: 'envoy' }] } }
    expect(jsonDiff(before, after)).toEqual([
      { op: 'remove', path: '/metadata/labels/a~1b' },
      { op: 'replace', path: '/spec/replicas', value: 3 },
      { op: 'replace', path: '/spec/containers/0/image', value: 'nginx:1.26' },
      { op: 'add', path: '/spec/containers/1', value: { image: 'envoy' } },
    ])
    expect(jsonDiff(before, before)).toEqual([])
  })

  it('produces a patch that turns any JSON document into any other (under a root object, as objects are)', () => {
    const json = fc.jsonValue({ maxDepth: 4 })
    fc.assert(
      fc.property(json, json, (a, b) => {
        // -0 and 0 are the same JSON number.
        const norm = (v: unknown) => JSON.parse(JSON.stringify(v))
        const [x, y] = [{ root: norm(a) }, { root: norm(b) }]
        expect(applyJsonPatch(x, jsonDiff(x, y))).toEqual(y)
      }),
      { numRuns: 300 },
    )
  })
})
