import { describe, expect, it } from 'vitest'
import {
  canonicalJson,
  computeHash,
  equalIgnoreHash,
  fnv32a,
  safeEncodeString,
} from '../../services/controllers/deployment/pod-template-hash.js'

const template = (image: string, labels: Record<string, string> = { app: 'web' }) => ({
  metadata: { labels },
  spec: { containers: [{ name: 'app', image }], restartPolicy: 'Always' },
})

// Kubernetes' `controller.ComputeHash` is FNV-32a over a Go dump of the PodTemplateSpec struct
// (`hashutil.DeepHashObject`), then over the collision count, printed in decimal and rendered with
// `rand.SafeEncodeString`. The dump is Go's and changes with every field Kubernetes adds, so no
// template's hash here can be checked against a real cluster's (revkube hashes the template's
// canonical JSON instead, pod-template-hash.ts). Every other step is Kubernetes' own, and these
// cases check each against values computed outside this code: Go's FNV test vectors, names
// Kubernetes printed, and the bytes it appends for the collision count.
describe('the pod-template-hash', () => {
  it("is FNV-1a 32, as Go's hash/fnv computes it", () => {
    const bytes = (s: string) => Buffer.from(s, 'utf8')
    expect([fnv32a(bytes('')), fnv32a(bytes('a')), fnv32a(bytes('ab')), fnv32a(bytes('abc')), fnv32a(bytes('foobar'))]).toEqual([
      0x811c9dc5, 0xe40c292c, 0x4d2505ca, 0x1a47e90b, 0xbf9cf968,
    ])
  })

  it('renders the decimal hash with SafeEncodeString, digit by digit, as the names Kubernetes prints', () => {
    expect(safeEncodeString('0123456789')).toBe('456789bcdf')
    // nginx-deployment-66b6c48dd5 (Kubernetes' Deployment docs), 7ff854f459 and 6b474476c4: the
    // decimal FNV-32a values they render.
    expect([safeEncodeString('2262704881'), safeEncodeString('3994109015'), safeEncodeString('2603003270')]).toEqual([
      '66b6c48dd5',
      '7ff854f459',
      '6b474476c4',
    ])
  })

  it("hashes the template's canonical JSON, then the collision count as Kubernetes appends it: four little-endian bytes and four zeros", () => {
    const t = template('x')
    expect(canonicalJson(t)).toBe(
      '{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"image":"x","name":"app"}],"restartPolicy":"Always"}}',
    )
    // Computed by an independent FNV-32a over these bytes (and struct.pack('<I', n) + 4 zero bytes).
    expect(computeHash(t)).toBe('7c576f5d88')
    expect([computeHash(t, 0), computeHash(t, 1), computeHash(t, 2), computeHash(t, 2147483647)]).toEqual([
      'f77b8f4f6',
      '6944755969',
      '84bbfc7f9d',
      '7487ff5644',
    ])
  })

  it('names templates with 1–10 characters of [4-9bcdf], the same for the same template', () => {
    const hash = computeHash(template('nginx:1.25'))
    expect(hash).toMatch(/^[4-9bcdf]{1,10}$/)
    expect(computeHash(template('nginx:1.25'))).toBe(hash)
    expect(computeHash(template('nginx:1.26'))).not.toBe(hash)
  })

  it('ignores key order and empty values, as Go sees decoded templates', () => {
    const a = { metadata: { labels: { app: 'web' }, annotations: {} }, spec: { containers: [{ name: 'app', image: 'x', env: [] }] } }
    const b = { spec: { containers: [{ image: 'x', name: 'app' }] }, metadata: { labels: { app: 'web' }, creationTimestamp: null } }
    expect(computeHash(a)).toBe(computeHash(b))
  })

  it('changes with the collision count, so a taken name is not tried again', () => {
    const hashes = new Set([
      computeHash(template('x')),
      computeHash(template('x'), 0),
      computeHash(template('x'), 1),
      computeHash(template('x'), 2),
    ])
    expect(hashes.size).toBe(4)
  })

  it('compares templates without the pod-template-hash label', () => {
    expect(equalIgnoreHash(template('x', { app: 'web', 'pod-template-hash': '5d4f' }), template('x'))).toBe(true)
    expect(equalIgnoreHash(template('x', { app: 'web', tier: 'front' }), template('x'))).toBe(false)
    expect(equalIgnoreHash(template('x'), template('y'))).toBe(false)
  })
})
