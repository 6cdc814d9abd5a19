import { describe, expect, it } from 'vitest'
import { computeHash, equalIgnoreHash, fnv32a, safeEncodeString } from '../../services/controllers/deployment/pod-template-hash.js'

const template = (image: string, labels: Record<string, string> = { app: 'web' }) => ({
  metadata: { labels },
  spec: { containers: [{ name: 'app', image }], restartPolicy: 'Always' },
})

describe('the pod-template-hash', () => {
  it('is FNV-1a 32', () => {
    const bytes = (s: string) => Buffer.from(s, 'utf8')
    expect(fnv32a(bytes(''))).toBe(0x811c9dc5)
    expect(fnv32a(bytes('a'))).toBe(0xe40c292c)
    expect(fnv32a(bytes('foobar'))).toBe(0xbf9cf968)
  })

  it('encodes the decimal hash with SafeEncodeString, digit by digit', () => {
    expect(safeEncodeString('0123456789')).toBe('456789bcdf')
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
    const hashes = new Set([computeHash(template('x')), computeHash(template('x'), 0), computeHash(template('x'), 1), computeHash(template('x'), 2)])
    expect(hashes.size).toBe(4)
  })

  it('compares templates without the pod-template-hash label', () => {
    expect(equalIgnoreHash(template('x', { app: 'web', 'pod-template-hash': '5d4f' }), template('x'))).toBe(true)
    expect(equalIgnoreHash(template('x', { app: 'web', tier: 'front' }), template('x'))).toBe(false)
    expect(equalIgnoreHash(template('x'), template('y'))).toBe(false)
  })
})
