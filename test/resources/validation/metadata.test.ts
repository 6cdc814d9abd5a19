import { describe, expect, it } from 'vitest'
import { formatFieldError, type FieldError } from '../../../services/resources/field-errors.js'
import {
  parseGroupVersion,
  validateFinalizers,
  validateNoNewFinalizers,
  validateOwnerReferences,
} from '../../../services/resources/validation/metadata.js'

const messages = (errors: FieldError[]) => errors.map(formatFieldError)
const owner = (overrides: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  name: 'web-7d4b9',
  uid: '6f1c2c1e-0000-4000-8000-000000000001',
  ...overrides,
})

describe('validateFinalizers', () => {
  it('accepts absent, empty and qualified-name finalizers', () => {
    expect(validateFinalizers(undefined, 'metadata.finalizers')).toEqual([])
    expect(validateFinalizers([], 'metadata.finalizers')).toEqual([])
    expect(validateFinalizers(['kubernetes', 'orphan', 'example.com/cleanup', 'Upper_Case'], 'metadata.finalizers')).toEqual([])
    expect(validateFinalizers(['foregroundDeletion'], 'metadata.finalizers')).toEqual([])
  })

  it('rejects orphan together with foregroundDeletion', () => {
    expect(messages(validateFinalizers(['orphan', 'foregroundDeletion'], 'metadata.finalizers'))).toEqual([
      'metadata.finalizers: Invalid value: ["orphan","foregroundDeletion"]: finalizer orphan and foregroundDeletion cannot be both set',
    ])
  })

  it('rejects a finalizer that is not a qualified name', () => {
    expect(messages(validateFinalizers(['example.com/a/b'], 'metadata.finalizers'))).toHaveLength(1)
    expect(messages(validateFinalizers(['x'.repeat(64)], 'metadata.finalizers'))).toEqual([
      `metadata.finalizers: Invalid value: "${'x'.repeat(64)}": name part must be no more than 63 bytes`,
    ])
    expect(messages(validateFinalizers(['Example.com/x'], 'metadata.finalizers'))[0]).toMatch(
      /^metadata\.finalizers: Invalid value: "Example\.com\/x": prefix part a lowercase RFC 1123 subdomain/,
    )
  })

  it('rejects values that are not lists of strings', () => {
    expect(messages(validateFinalizers('orphan', 'metadata.finalizers'))).toEqual([
      'metadata.finalizers: Invalid value: "orphan": must be a list of strings',
    ])
    expect(messages(validateFinalizers([1], 'metadata.finalizers'))).toEqual(['metadata.finalizers: Invalid value: 1: must be a string'])
  })
})

describe('validateNoNewFinalizers', () => {
  it('allows removing and keeping finalizers', () => {
    expect(validateNoNewFinalizers(['a'], ['a', 'b'], 'metadata.finalizers')).toEqual([])
    expect(validateNoNewFinalizers([], ['a'], 'metadata.finalizers')).toEqual([])
  })

  it('forbids adding one, naming the new finalizers sorted in Go syntax', () => {
    expect(messages(validateNoNewFinalizers(['z', 'a', 'x', 'z'], ['a'], 'metadata.finalizers'))).toEqual([
      'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"x", "z"}',
    ])
  })
})

describe('validateOwnerReferences', () => {
  it('accepts absent references, a plain reference and one controller', () => {
    expect(validateOwnerReferences(undefined, 'metadata.ownerReferences')).toEqual([])
    expect(validateOwnerReferences([owner()], 'metadata.ownerReferences')).toEqual([])
    expect(validateOwnerReferences([owner({ controller: true, blockOwnerDeletion: true }), owner({ name: 'b' })], 'x')).toEqual([])
    expect(validateOwnerReferences([owner({ apiVersion: 'v1', kind: 'Node' })], 'x')).toEqual([])
  })

  it('requires apiVersion, kind, name and uid, reported at the list path', () => {
    expect(messages(validateOwnerReferences([{}], 'metadata.ownerReferences'))).toEqual([
      'metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty',
      'metadata.ownerReferences.kind: Invalid value: "": must not be empty',
      'metadata.ownerReferences.name: Invalid value: "": must not be empty',
      'metadata.ownerReferences.uid: Invalid value: "": must not be empty',
    ])
  })

  it.each([['apps/'], ['a/b/c'], ['/']])('rejects the apiVersion %j as having no version', (apiVersion) => {
    expect(messages(validateOwnerReferences([owner({ apiVersion })], 'metadata.ownerReferences'))).toEqual([
      `metadata.ownerReferences.apiVersion: Invalid value: "${apiVersion}": version must not be empty`,
    ])
  })

  it('forbids a v1 Event as an owner', () => {
    const ref = owner({ apiVersion: 'v1', kind: 'Event', name: 'e', uid: '1' })
    expect(messages(validateOwnerReferences([ref], 'metadata.ownerReferences'))).toEqual([
      'metadata.ownerReferences: Invalid value: {"apiVersion":"v1","kind":"Event","name":"e","uid":"1"}: /v1, Kind=Event is disallowed from being an owner',
    ])
    expect(validateOwnerReferences([owner({ apiVersion: 'events.k8s.io/v1', kind: 'Event' })], 'x')).toEqual([])
  })

  it('allows only one controller, naming the first and the second', () => {
    const refs = [
      owner({ kind: 'ReplicaSet', name: 'a', controller: true }),
      owner({ kind: 'ReplicaSet', name: 'b', controller: false }),
      owner({ kind: 'StatefulSet', name: 'c', controller: true }),
    ]
    const errors = validateOwnerReferences(refs, 'metadata.ownerReferences')
    expect(errors).toHaveLength(1)
    expect(errors[0]!.field).toBe('metadata.ownerReferences')
    expect(errors[0]!.body).toMatch(
      /: Only one reference can have Controller set to true\. Found "true" in references for ReplicaSet\/a and StatefulSet\/c$/,
    )
    expect(errors[0]!.body).toMatch(/^Invalid value: \[\{"apiVersion":"apps\/v1","kind":"ReplicaSet","name":"a",/)
  })

  it('reports every extra controller against the first', () => {
    const refs = ['a', 'b', 'c'].map((name) => owner({ name, controller: true }))
    expect(validateOwnerReferences(refs, 'x').map((e) => e.body.split('references for ')[1])).toEqual([
      'ReplicaSet/a and ReplicaSet/b',
      'ReplicaSet/a and ReplicaSet/c',
    ])
  })

  it('rejects values that are not lists of objects and fields that are not strings', () => {
    expect(messages(validateOwnerReferences({}, 'm'))).toEqual(['m: Invalid value: {}: must be a list of owner references'])
    expect(messages(validateOwnerReferences(['x'], 'm'))).toEqual(['m: Invalid value: "x": must be an owner reference object'])
    expect(messages(validateOwnerReferences([owner({ uid: 7 })], 'm'))).toEqual([
      'm.uid: Invalid value: 7: must be a string',
      'm.uid: Invalid value: "": must not be empty',
    ])
  })
})

describe('parseGroupVersion', () => {
  it.each([
    ['v1', { group: '', version: 'v1' }],
    ['apps/v1', { group: 'apps', version: 'v1' }],
    ['/v1', { group: '', version: 'v1' }],
    ['', { group: '', version: '' }],
    ['a/b/c', { group: '', version: '' }],
  ])('splits %j', (apiVersion, expected) => {
    expect(parseGroupVersion(apiVersion)).toEqual(expected)
  })
})
