import { describe, expect, it } from 'vitest'
import { ephemeralKeyring } from '../../services/secrets/keyring.js'
import { REDACTED, redact, isSensitiveKind } from '../../services/secrets/redact.js'
import { SEALED, Sealer, UNREADABLE_ANNOTATION } from '../../services/secrets/sealing.js'
import { LAST_APPLIED, sensitiveFieldsOf } from '../../services/secrets/sensitive-fields.js'
import { silentLogger } from '../../services/log.js'
import type { KindDefinition } from '../../services/resources/kind.js'
import { builtinKinds, KindRegistry } from '../../services/resources/registry.js'
import type { JsonObject } from '../../services/json.js'

const uid = '11111111-1111-4111-8111-111111111111'
const secret = (extra: JsonObject = {}): JsonObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  type: 'Opaque',
  metadata: {
    name: 'db',
    namespace: 'prod',
    uid,
    labels: { app: 'db' },
    annotations: { [LAST_APPLIED]: '{"data":{"password":"aHVudGVyMg=="}}', team: 'core' },
  },
  data: { password: Buffer.from('hunter2').toString('base64') },
  ...extra,
})

describe('sealing', () => {
  const sealer = new Sealer(ephemeralKeyring())

  it('replaces data, stringData and the last-applied annotation by one AES-256-GCM envelope, leaving the rest in the clear', () => {
    const sealed = sealer.seal(secret({ stringData: { token: 'abc' } }), 'Secret', 'prod', 'db')
    expect(sealed).not.toHaveProperty('data')
    expect(sealed).not.toHaveProperty('stringData')
    expect(sealed.type).toBe('Opaque')
    expect(sealed.metadata).toEqual({ name: 'db', namespace: 'prod', uid, labels: { app: 'db' }, annotations: { team: 'core' } })
    const envelope = sealed[SEALED] as Record<string, string>
    expect(envelope).toEqual({
      alg: 'A256GCM',
      key: sealer.keyring.primary.id,
      iv: expect.any(String),
      data: expect.any(String),
      tag: expect.any(String),
    })
    expect(Buffer.from(envelope.iv!, 'base64')).toHaveLength(12)
    expect(Buffer.from(envelope.tag!, 'base64')).toHaveLength(16)
    const text = JSON.stringify(sealed)
    for (const plain of ['hunter2', 'aHVudGVyMg==', 'abc']) expect(text).not.toContain(plain)
  })

  it('opens what it sealed to the same object, and seals again with a fresh IV', () => {
    const object = secret()
    const a = sealer.seal(object, 'Secret', 'prod', 'db')
    const b = sealer.seal(object, 'Secret', 'prod', 'db')
    expect((a[SEALED] as JsonObject).iv).not.toBe((b[SEALED] as JsonObject).iv)
    expect(sealer.open(a, 'Secret', 'prod', 'db')).toEqual(object)
  })

  it('leaves objects of other kinds, Secrets without data and sealed objects as they are', () => {
    const pod = { kind: 'Pod', metadata: { name: 'p' }, data: { x: '1' } }
    expect(sealer.seal(pod, 'Pod', '', 'p')).toBe(pod)
    expect(sealer.open(pod, 'Pod', '', 'p')).toBe(pod)
    const empty = { kind: 'Secret', metadata: { name: 's', uid } }
    expect(sealer.seal(empty, 'Secret', '', 's')).toBe(empty)
    const sealed = sealer.seal(secret(), 'Secret', 'prod', 'db')
    expect(sealer.seal(sealed, 'Secret', 'prod', 'db')).toBe(sealed)
  })

  it('refuses an envelope moved to another object or another incarnation, or altered, with the marker', () => {
    const sealed = sealer.seal(secret(), 'Secret', 'prod', 'db')
    const moved = sealer.open(sealed, 'Secret', 'prod', 'other')
    const recreated = sealer.open(
      { ...sealed, metadata: { ...(sealed.metadata as JsonObject), uid: '22222222-2222-4222-8222-222222222222' } },
      'Secret',
      'prod',
      'db',
    )
    const envelope = sealed[SEALED] as Record<string, string>
    const flipped = Buffer.from(envelope.data!, 'base64')
    flipped[0]! ^= 1
    const altered = sealer.open({ ...sealed, [SEALED]: { ...envelope, data: flipped.toString('base64') } }, 'Secret', 'prod', 'db')
    const truncatedTag = sealer.open(
      { ...sealed, [SEALED]: { ...envelope, tag: Buffer.from(envelope.tag!, 'base64').subarray(0, 4).toString('base64') } },
      'Secret',
      'prod',
      'db',
    )
    for (const opened of [moved, recreated, altered, truncatedTag]) {
      expect(opened).not.toHaveProperty('data')
      expect(opened).not.toHaveProperty(SEALED)
      expect((opened.metadata as JsonObject).annotations).toMatchObject({
        [UNREADABLE_ANNOTATION]: expect.stringMatching(/^unreadable: authentication failed/),
      })
    }
  })

  it('marks an object whose key is not in the keyring, and warns once per key', () => {
    const warnings: string[] = []
    const log = { debug() {}, info() {}, error() {}, warn: (m: string) => warnings.push(m), child: () => log }
    const sealed = sealer.seal(secret(), 'Secret', 'prod', 'db')
    const stranger = new Sealer(ephemeralKeyring(), log)
    const opened = stranger.open(sealed, 'Secret', 'prod', 'db')
    stranger.open(sealed, 'Secret', 'prod', 'db')
    expect((opened.metadata as JsonObject).annotations).toEqual({
      team: 'core',
      [UNREADABLE_ANNOTATION]: `unreadable: key "${sealer.keyring.primary.id}" is not in the keyring`,
    })
    expect(opened).not.toHaveProperty('data')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(sealer.keyring.primary.id)
  })

  it('opens values sealed under an older key after a rotation', () => {
    const keyring = ephemeralKeyring()
    const rotating = new Sealer(keyring)
    const before = rotating.seal(secret(), 'Secret', 'prod', 'db')
    const added = keyring.addPrimaryKey()
    const after = rotating.seal(secret(), 'Secret', 'prod', 'db')
    expect(rotating.keyIdOf(after)).toBe(added.id)
    expect(rotating.keyIdOf(before)).not.toBe(added.id)
    expect(rotating.open(before, 'Secret', 'prod', 'db')).toEqual(secret())
  })

  it('seals the fields another kind declares in its definition', () => {
    const widget: KindDefinition = {
      kind: 'WidgetCredential',
      group: 'example.com',
      versions: ['v1'],
      resource: 'widgetcredentials',
      namespaced: false,
      nameRule: 'dns1123-subdomain',
      schema: { v1: 'com.example.v1.WidgetCredential' },
      sensitiveFields: [
        ['spec', 'password'],
        ['spec', 'tokens'],
      ],
    }
    const kinds = new KindRegistry([...builtinKinds, widget])
    expect(sensitiveFieldsOf('WidgetCredential', kinds)).toEqual([
      ['spec', 'password'],
      ['spec', 'tokens'],
    ])
    expect(sensitiveFieldsOf('WidgetCredential')).toEqual([])
    const widgets = new Sealer(sealer.keyring, silentLogger, kinds)
    const object = { kind: 'WidgetCredential', metadata: { name: 'w', uid }, spec: { user: 'bob', password: 'pw-123', tokens: ['t1'] } }
    const sealed = widgets.seal(object, 'WidgetCredential', '', 'w')
    expect(sealed.spec).toEqual({ user: 'bob' })
    expect(JSON.stringify(sealed)).not.toContain('pw-123')
    expect(widgets.open(sealed, 'WidgetCredential', '', 'w')).toEqual(object)
    expect(() => new KindRegistry([{ ...widget, sensitiveFields: [['metadata', 'name']] }])).toThrow(/only annotations/)
  })
})

describe('redaction', () => {
  it('keeps the keys of a Secret and replaces every value, the input untouched', () => {
    const object = secret({ stringData: { token: 'abc' } })
    const copy = structuredClone(object)
    const redacted = redact(object)
    expect(redacted.data).toEqual({ password: REDACTED })
    expect(redacted.stringData).toEqual({ token: REDACTED })
    expect((redacted.metadata as JsonObject).annotations).toEqual({ [LAST_APPLIED]: REDACTED, team: 'core' })
    expect(redacted.type).toBe('Opaque')
    expect(object).toEqual(copy)
  })

  it('leaves other kinds as they are and tells sensitive kinds apart', () => {
    const pod = { kind: 'Pod', metadata: { name: 'p' } }
    expect(redact(pod)).toBe(pod)
    expect(isSensitiveKind('Secret')).toBe(true)
    expect(isSensitiveKind('ConfigMap')).toBe(false)
  })
})
