import { describe, expect, it } from 'vitest'
import type { JsonObject } from '../../../services/json.js'
import { builtinKinds } from '../../../services/resources/registry.js'
import {
  create,
  createErrors,
  DNS1035_LABEL,
  DNS1123_LABEL,
  DNS1123_SUBDOMAIN,
  edited,
  LABEL_VALUE,
  NAME_PART,
  NOW,
  rejection,
  UID,
} from './harness.js'
import { minimal } from './manifests.js'

const kinds = builtinKinds.map((definition) => definition.kind)
const named = (kind: string, name: string) => edited(minimal[kind]!, (o) => ((o.metadata as JsonObject).name = name))
const meta = (o: JsonObject) => o.metadata as JsonObject

describe('every kind in the registry', () => {
  it('has a minimal manifest in these tests', () => {
    expect(Object.keys(minimal).sort()).toEqual([...kinds].sort())
  })

  it.each(builtinKinds.map((d) => [d.kind, d] as const))(
    'creates a %s from its minimal manifest, with server-owned metadata',
    (kind, definition) => {
      const object = create(minimal[kind]!)
      expect(object.kind).toBe(kind)
      expect(meta(object)).toMatchObject({ name: meta(minimal[kind]!).name, uid: UID, creationTimestamp: NOW })
      expect(meta(object).namespace).toBe(definition.namespaced ? 'default' : undefined)
      expect(meta(object).generation).toBe(definition.status ? 1 : undefined)
    },
  )

  it.each(kinds)('requires a name or generateName for a %s', (kind) => {
    expect(createErrors(named(kind, ''))).toContain('metadata.name: Required value: name or generateName is required')
  })

  it.each(kinds)('rejects a label value that is not one on a %s', (kind) => {
    const manifest = edited(minimal[kind]!, (o) => ((o.metadata as JsonObject).labels = { tier: 'front end' }))
    expect(createErrors(manifest)).toEqual([`metadata.labels: Invalid value: "front end": ${LABEL_VALUE}`])
  })
})

describe('object names, by the rule of each kind', () => {
  const a = (n: number) => 'a'.repeat(n)
  it.each([
    // Namespaces are DNS-1123 labels.
    ['Namespace', 'team-a', []],
    ['Namespace', '1team', []],
    ['Namespace', 'team.a', ['metadata.name: Invalid value: "team.a": must not contain dots']],
    ['Namespace', 'Team', [`metadata.name: Invalid value: "Team": ${DNS1123_LABEL}`]],
    ['Namespace', a(63), []],
    ['Namespace', a(64), [`metadata.name: Invalid value: "${a(64)}": must be no more than 63 bytes`]],
    // Services are DNS-1035 labels: they must start with a letter.
    ['Service', 'web', []],
    ['Service', '1web', [`metadata.name: Invalid value: "1web": ${DNS1035_LABEL}`]],
    ['Service', 'web.v2', [`metadata.name: Invalid value: "web.v2": ${DNS1035_LABEL}`]],
    // Most kinds are DNS-1123 subdomains: dots fine, 253 bytes, no per-segment limit.
    ['Pod', '1web', []],
    ['Deployment', 'web.v2', []],
    ['ConfigMap', a(253), []],
    ['ConfigMap', a(254), [`metadata.name: Invalid value: "${a(254)}": must be no more than 253 bytes`]],
    ['Secret', 'Web_1', [`metadata.name: Invalid value: "Web_1": ${DNS1123_SUBDOMAIN}`]],
    ['Node', 'ip-10-0-0-1.ec2.internal', []],
    // StatefulSet pods take its name as hostname: a DNS-1123 label.
    ['StatefulSet', 'db.v2', ['metadata.name: Invalid value: "db.v2": must not contain dots']],
    // CronJob names leave 11 characters for the Job suffix.
    ['CronJob', a(52), []],
    ['CronJob', a(53), [`metadata.name: Invalid value: "${a(53)}": must be no more than 52 characters`]],
    // RBAC names are path segments: colons and capitals are fine.
    ['ClusterRole', 'system:node', []],
    ['Role', 'Pod:Reader', []],
    ['RoleBinding', 'team/readers', [`metadata.name: Invalid value: "team/readers": may not contain '/'`]],
    ['ClusterRoleBinding', '..', [`metadata.name: Invalid value: "..": may not be '..'`]],
    ['ClusterRoleBinding', '100%', [`metadata.name: Invalid value: "100%": may not contain '%'`]],
  ] as const)('%s %j: %j', (kind, name, expected) => {
    if (expected.length === 0) expect(meta(create(named(kind, name))).name).toBe(name)
    else expect(createErrors(named(kind, name))).toEqual(expected)
  })

  it('takes a name from generateName with five random characters', () => {
    const manifest = edited(minimal.Pod!, (o) => (o.metadata = { generateName: 'web-' }))
    expect(meta(create(manifest)).name).toBe('web-abcde')
  })
})

describe('labels and annotations', () => {
  const withLabels = (labels: JsonObject) => edited(minimal.ConfigMap!, (o) => ((o.metadata as JsonObject).labels = labels))
  const withAnnotations = (annotations: JsonObject) =>
    edited(minimal.ConfigMap!, (o) => ((o.metadata as JsonObject).annotations = annotations))
  const n = (length: number) => 'n'.repeat(length)

  it.each([
    [{ [n(63)]: 'x' }, []],
    [{ [n(64)]: 'x' }, [`metadata.labels: Invalid value: "${n(64)}": name part must be no more than 63 bytes`]],
    [{ 'example.com/tier': 'front' }, []],
    [{ 'MyLabel.v2': 'x' }, []],
    [{ 'Example.com/tier': 'x' }, [`metadata.labels: Invalid value: "Example.com/tier": prefix part ${DNS1123_SUBDOMAIN}`]],
    [{ '/tier': 'x' }, ['metadata.labels: Invalid value: "/tier": prefix part must be non-empty']],
    [{ 'tier-': 'x' }, [`metadata.labels: Invalid value: "tier-": ${NAME_PART}`]],
    [{ tier: n(63) }, []],
    [{ tier: n(64) }, [`metadata.labels: Invalid value: "${n(64)}": must be no more than 63 bytes`]],
    [{ tier: '' }, []],
    [{ tier: '-front' }, [`metadata.labels: Invalid value: "-front": ${LABEL_VALUE}`]],
  ])('labels %j', (labels, expected) => {
    if (expected.length === 0) expect(meta(create(withLabels(labels))).labels).toEqual(labels)
    else expect(createErrors(withLabels(labels))).toEqual(expected)
  })

  it('accepts annotation keys that are only valid lower-cased, and any value', () => {
    const annotations = { 'Example.com/Owner': 'Team A!', description: 'a\nmultiline text' }
    expect(meta(create(withAnnotations(annotations))).annotations).toEqual(annotations)
  })

  it('allows 262144 bytes of annotations in total, keys included, and no more', () => {
    const value = (total: number) => ({ big: 'x'.repeat(total - 'big'.length) })
    expect(() => create(withAnnotations(value(262144)))).not.toThrow()
    expect(createErrors(withAnnotations(value(262145)))).toEqual(['metadata.annotations: Too long: may not be more than 262144 bytes'])
  })
})

describe('the Invalid error', () => {
  it('names the kind, group and object and lists several field errors in brackets', () => {
    const manifest = edited(minimal.Deployment!, (o) => {
      ;(o.metadata as JsonObject).name = 'Web_1'
      ;(o.spec as JsonObject).replicas = -1
    })
    const error = rejection(manifest)
    expect([error.code, error.reason]).toEqual([422, 'Invalid'])
    expect(error.message).toBe(
      `Deployment.apps "Web_1" is invalid: [metadata.name: Invalid value: "Web_1": ${DNS1123_SUBDOMAIN}, spec.replicas: Invalid value: -1: must be greater than or equal to 0]`,
    )
    expect(error.details).toMatchObject({ name: 'Web_1', group: 'apps', kind: 'Deployment' })
    expect(error.details.causes).toEqual([
      { reason: 'FieldValueInvalid', message: `Invalid value: "Web_1": ${DNS1123_SUBDOMAIN}`, field: 'metadata.name' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'spec.replicas' },
    ])
  })

  it('prints a single error without brackets, and core kinds without a group', () => {
    const error = rejection(edited(minimal.Pod!, (o) => ((o.spec as JsonObject).containers = [])))
    expect(error.message).toBe('Pod "web" is invalid: spec.containers: Required value')
  })
})
