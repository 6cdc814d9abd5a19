import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { clone, isObject, type JsonObject } from '../../../services/json.js'
import { decodeManifests } from '../../../services/resources/manifest.js'
import { registry } from '../../../services/resources/registry.js'
import { decode, DecodeError } from '../../../services/resources/schema/decode.js'
import { base64Error, timeError } from '../../../services/resources/schema/go-scalars.js'
import { kindShape, type StructShape } from '../../../services/resources/schema/shapes.js'
import { minimal } from '../kinds/manifests.js'

const shapeFor = (object: JsonObject): StructShape => {
  const definition = registry.forManifest(object.apiVersion, object.kind)
  const version = String(object.apiVersion).split('/').at(-1)!
  return kindShape(definition.group, version, definition.kind)!
}

const deployment = (): JsonObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' }, creationTimestamp: null },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          { name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80 }], resources: { limits: { cpu: 1, memory: '128Mi' } } },
        ],
      },
    },
    strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } },
  },
})

/** The message decoding `object` after `change` fails with. */
function refusal(object: JsonObject, change: (o: any) => void): string {
  change(object)
  try {
    decode(shapeFor(object), object)
  } catch (error) {
    if (error instanceof DecodeError) return error.message
    throw error
  }
  throw new Error('decoded without an error')
}

/** The guestbook the README's walkthrough applies: every `cat > guestbook/….yaml <<'YAML'` document. */
function readmeGuestbook(): JsonObject[] {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')
  const files = [...readme.matchAll(/^cat > guestbook\/\S+\.yaml <<'YAML'\n([\s\S]*?)^YAML$/gm)].map((m) => m[1]!)
  expect(files.length).toBeGreaterThanOrEqual(3)
  return files.flatMap((text) => decodeManifests(text).map((m) => m.object))
}

describe('decoding an object against its kind schema', () => {
  it('returns a valid object itself, with no unknown fields', () => {
    const object = deployment()
    const decoded = decode(shapeFor(object), object)
    expect(decoded.object).toBe(object)
    expect(decoded.unknownFields).toEqual([])
  })

  it('lists unknown fields with the paths Kubernetes prints, and leaves them out of a copy', () => {
    const object: any = deployment()
    object.spec.replica = 3
    object.spec.template.spec.containers[0].imagePullPolicyy = 'Always'
    object.metadata.labelz = { a: 'b' }
    const before = clone(object)
    const decoded = decode(shapeFor(object), object)
    expect(decoded.unknownFields).toEqual(['metadata.labelz', 'spec.template.spec.containers[0].imagePullPolicyy', 'spec.replica'])
    expect(object).toEqual(before)
    const expected: any = deployment()
    expect(decoded.object).toEqual(expected)
  })

  it('refuses wrong JSON types with Go decoding messages naming the struct and the field path', () => {
    expect(refusal(deployment(), (o) => (o.spec.paused = 'yes'))).toBe(
      'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.paused of type bool',
    )
    expect(refusal(clone(minimal.ConfigMap!), (o) => (o.data = { a: 1 }))).toBe(
      'json: cannot unmarshal number into Go struct field ConfigMap.data of type string',
    )
    expect(refusal(clone(minimal.Secret!), (o) => (o.immutable = 'notabool'))).toBe(
      'json: cannot unmarshal string into Go struct field Secret.immutable of type bool',
    )
    expect(
      refusal(
        deployment(),
        (o) =>
          (o.spec.template.spec.affinity = {
            nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ matchExpressions: [] }] },
          }),
      ),
    ).toBe(
      'json: cannot unmarshal array into Go struct field NodeAffinity.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution of type v1.NodeSelector',
    )
    expect(refusal(deployment(), (o) => (o.spec.template.spec.containers[0].image = 5))).toBe(
      'json: cannot unmarshal number into Go struct field Container.spec.template.spec.containers.image of type string',
    )
    expect(refusal(deployment(), (o) => (o.metadata.labels = { app: true }))).toBe(
      'json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string',
    )
    expect(refusal(deployment(), (o) => (o.spec.template = []))).toBe(
      'json: cannot unmarshal array into Go struct field DeploymentSpec.spec.template of type v1.PodTemplateSpec',
    )
    expect(refusal(deployment(), (o) => (o.spec.template.spec.containers = {}))).toBe(
      'json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container',
    )
  })

  it('refuses integers outside int32 or int64 and numbers that are not integers', () => {
    expect(refusal(deployment(), (o) => (o.spec.replicas = 2147483648))).toBe(
      'json: cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas of type int32',
    )
    expect(refusal(deployment(), (o) => (o.spec.replicas = 1e300))).toBe(
      'json: cannot unmarshal number 1e300 into Go struct field DeploymentSpec.spec.replicas of type int32',
    )
    expect(refusal(deployment(), (o) => (o.spec.replicas = 1.5))).toBe(
      'json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32',
    )
    expect(refusal(deployment(), (o) => (o.spec.replicas = -2147483649))).toMatch(/number -2147483649 into .* of type int32$/)
    const pod = (): JsonObject => clone(minimal.Pod!)
    expect(refusal(pod(), (o) => (o.spec.activeDeadlineSeconds = 2 ** 63))).toBe(
      'json: cannot unmarshal number 9223372036854776000 into Go struct field PodSpec.spec.activeDeadlineSeconds of type int64',
    )
    const accepted: any = pod()
    accepted.spec.activeDeadlineSeconds = 2 ** 62
    accepted.spec.containers[0].ports = [{ containerPort: 2147483647 }]
    expect(decode(shapeFor(accepted), accepted).object).toBe(accepted)
  })

  it('takes an int-or-string as a string or an int32, and a quantity as a string or a number', () => {
    expect(refusal(deployment(), (o) => (o.spec.strategy.rollingUpdate.maxSurge = true))).toBe(
      'json: cannot unmarshal bool into Go struct field RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge of type int32',
    )
    expect(refusal(deployment(), (o) => (o.spec.strategy.rollingUpdate.maxSurge = 0.5))).toMatch(
      /number 0\.5 into .*maxSurge of type int32$/,
    )
    expect(refusal(deployment(), (o) => (o.spec.template.spec.containers[0].resources.limits.cpu = { value: 1 }))).toBe(
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    )
  })

  it('checks base64 of byte fields and RFC 3339 times as Go does', () => {
    expect(refusal(clone(minimal.Secret!), (o) => (o.data = { password: 'not base64!' }))).toBe('illegal base64 data at input byte 3')
    expect(refusal(clone(minimal.ConfigMap!), (o) => (o.binaryData = { blob: 'abc' }))).toBe('illegal base64 data at input byte 0')
    expect(refusal(deployment(), (o) => (o.metadata.creationTimestamp = 'yesterday'))).toBe(
      'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"',
    )
    expect(base64Error(Buffer.from('any bytes at all').toString('base64'))).toBeUndefined()
    expect(base64Error('aGk=\n')).toBeUndefined()
    expect(base64Error('aGk')).toBe('illegal base64 data at input byte 0')
    expect(base64Error('aG=k')).toBe('illegal base64 data at input byte 2')
    expect(timeError('2026-11-26T14:02:00Z')).toBeUndefined()
    expect(timeError('2026-11-26T14:02:00.123456+01:00')).toBeUndefined()
    expect(timeError('2026-02-30T00:00:00Z')).toBe('parsing time "2026-02-30T00:00:00Z": day out of range')
    expect(timeError('2026-11-26 14:02:00Z')).toBe(
      'parsing time "2026-11-26 14:02:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse " 14:02:00Z" as "T"',
    )
    expect(timeError('2026-11-26T14:02:00Zoo')).toBe('parsing time "2026-11-26T14:02:00Zoo": extra text: "oo"')
  })

  it('takes null anywhere and anything in free-form fields (RawExtension)', () => {
    const object: any = deployment()
    object.spec.paused = null
    object.spec.template.spec.containers[0].env = [null]
    expect(decode(shapeFor(object), object).unknownFields).toEqual([])
    const revision: JsonObject = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: { name: 'r' },
      revision: 1,
      data: { spec: { anything: [1, 'two'] } },
    }
    expect(decode(shapeFor(revision), revision).unknownFields).toEqual([])
  })

  it('decodes every minimal manifest of the kind tests and the README guestbook with no unknown field', () => {
    for (const object of [...Object.values(minimal), ...readmeGuestbook()]) {
      expect({ kind: object.kind, unknown: decode(shapeFor(object), object).unknownFields }).toEqual({ kind: object.kind, unknown: [] })
    }
  })

  it('is idempotent: what it returns decodes to itself, with no unknown field left', () => {
    const manifests = [...Object.values(minimal), ...readmeGuestbook()]
    const key = fc.oneof(fc.constantFrom('replica', 'spec', 'name', 'imagePullPolicyy', 'x'), fc.string({ maxLength: 6 }))
    // A manifest with a random value put at a random place: a new field or one replaced.
    const edited = fc
      .tuple(fc.constantFrom(...manifests), fc.array(fc.tuple(fc.nat(), key, fc.jsonValue({ maxDepth: 2 })), { maxLength: 4 }))
      .map(([manifest, edits]) => {
        const object = clone(manifest)
        for (const [n, field, value] of edits) {
          const places = objectsIn(object)
          setAt(places[n % places.length]!, field, value)
        }
        return object
      })
    fc.assert(
      fc.property(edited, (object) => {
        let first
        try {
          first = decode(shapeFor(object), object)
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError)
          return
        }
        const again = decode(shapeFor(first.object), first.object)
        expect(again.unknownFields).toEqual([])
        expect(again.object).toBe(first.object)
      }),
      { numRuns: 300 },
    )
  })
})

function objectsIn(value: unknown, out: JsonObject[] = []): JsonObject[] {
  if (isObject(value)) {
    out.push(value)
    for (const key in value) objectsIn(value[key], out)
  } else if (Array.isArray(value)) for (const item of value) objectsIn(item, out)
  return out
}

function setAt(object: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true })
  else if (key !== 'apiVersion' && key !== 'kind') object[key] = value
}
