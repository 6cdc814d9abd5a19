import { describe, expect, it } from 'vitest'
import { formatFieldError } from '../../../services/resources/field-errors.js'
import {
  labelValue,
  TOTAL_ANNOTATION_SIZE_LIMIT_BYTES,
  validateAnnotations,
  validateLabels,
} from '../../../services/resources/validation/labels.js'

const valueRegex =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
const namePartRegex =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
const subdomainRegex =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"

const messages = (errors: ReturnType<typeof validateLabels>) => errors.map(formatFieldError)

describe('labelValue', () => {
  it.each([[''], ['web'], ['MyValue'], ['my_value'], ['12345'], ['a..b'], ['a-_.b'], ['x'.repeat(63)]])('accepts %j', (value) => {
    expect(labelValue(value)).toEqual([])
  })

  it.each([
    ['-web', [valueRegex]],
    ['web.', [valueRegex]],
    ['a b', [valueRegex]],
    ['a/b', [valueRegex]],
    ['x'.repeat(64), ['must be no more than 63 bytes']],
    ['é'.repeat(32), ['must be no more than 63 bytes', valueRegex]],
  ])('rejects %j', (value, expected) => {
    expect(labelValue(value)).toEqual(expected)
  })
})

describe('validateLabels', () => {
  it('accepts absent labels and an empty map', () => {
    expect(validateLabels(undefined, 'metadata.labels')).toEqual([])
    expect(validateLabels(null, 'metadata.labels')).toEqual([])
    expect(validateLabels({}, 'metadata.labels')).toEqual([])
  })

  it('accepts prefixed and uppercase keys, dotted runs, empty values and 63-byte parts', () => {
    const labels = {
      app: 'web',
      'app.kubernetes.io/name': 'Web_Server.1',
      'a..b': '',
      MyKey: 'x'.repeat(63),
      ['k'.repeat(63)]: 'v',
      [`${'p'.repeat(253)}/n`]: 'v',
    }
    expect(validateLabels(labels, 'metadata.labels')).toEqual([])
  })

  it('reports a bad value at the map path with the value quoted', () => {
    expect(messages(validateLabels({ app: 'a b' }, 'metadata.labels'))).toEqual([`metadata.labels: Invalid value: "a b": ${valueRegex}`])
  })

  it('reports a 64-byte key name part', () => {
    const key = 'k'.repeat(64)
    expect(messages(validateLabels({ [key]: 'v' }, 'metadata.labels'))).toEqual([
      `metadata.labels: Invalid value: "${key}": name part must be no more than 63 bytes`,
    ])
  })

  it('reports an empty prefix, an uppercase prefix and a second slash', () => {
    expect(messages(validateLabels({ '/a': 'v', 'Example.com/a': 'v', 'a/b/c': 'v' }, 'metadata.labels'))).toEqual([
      'metadata.labels: Invalid value: "/a": prefix part must be non-empty',
      `metadata.labels: Invalid value: "Example.com/a": prefix part ${subdomainRegex}`,
      `metadata.labels: Invalid value: "a/b/c": a valid label key ${namePartRegex.slice('name part '.length)} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ])
  })

  it('reports an empty key and a key with a bad name part', () => {
    expect(messages(validateLabels({ '': 'v', '-x': 'v' }, 'metadata.labels'))).toEqual([
      'metadata.labels: Invalid value: "": name part must be non-empty',
      `metadata.labels: Invalid value: "": ${namePartRegex}`,
      `metadata.labels: Invalid value: "-x": ${namePartRegex}`,
    ])
  })

  it('reports both a bad key and its bad value', () => {
    expect(validateLabels({ 'a b': 'c d' }, 'metadata.labels')).toHaveLength(2)
  })

  it('rejects labels that are not a map of strings', () => {
    expect(messages(validateLabels(['app'], 'metadata.labels'))).toEqual([
      'metadata.labels: Invalid value: ["app"]: must be a map of string keys to string values',
    ])
    expect(messages(validateLabels({ replicas: 3 }, 'metadata.labels'))).toEqual(['metadata.labels: Invalid value: 3: must be a string'])
  })
})

describe('validateAnnotations', () => {
  it('accepts any value and keys that are qualified names once lower-cased', () => {
    const annotations = { 'Example.com/Key': 'anything at all: {"json": true}\n', 'kubernetes.io/change-cause': '' }
    expect(validateAnnotations(annotations, 'metadata.annotations')).toEqual([])
    expect(validateLabels({ 'Example.com/Key': 'v' }, 'metadata.labels')).toHaveLength(1)
  })

  it('reports a bad key with the key as written', () => {
    expect(messages(validateAnnotations({ 'Bad Key': 'v' }, 'metadata.annotations'))).toEqual([
      `metadata.annotations: Invalid value: "Bad Key": ${namePartRegex}`,
    ])
  })

  it('accepts a total size of exactly 262144 bytes', () => {
    expect(TOTAL_ANNOTATION_SIZE_LIMIT_BYTES).toBe(262144)
    const annotations = { a: 'x'.repeat(262143) }
    expect(validateAnnotations(annotations, 'metadata.annotations')).toEqual([])
  })

  it('rejects a total size of 262145 bytes as Too long', () => {
    const errors = validateAnnotations({ a: 'x'.repeat(131071), b: 'y'.repeat(131072) }, 'metadata.annotations')
    expect(messages(errors)).toEqual(['metadata.annotations: Too long: may not be more than 262144 bytes'])
    expect(errors[0]!.type).toBe('FieldValueTooLong')
  })

  it('counts the size in UTF-8 bytes, keys included', () => {
    // 'é' is two bytes: 131071 × 2 = 262142, so a 2-byte key reaches the limit and a 3-byte key passes it.
    expect(validateAnnotations({ a: 'é'.repeat(131071) }, 'metadata.annotations')).toEqual([])
    expect(validateAnnotations({ ab: 'é'.repeat(131071) }, 'metadata.annotations')).toEqual([])
    expect(validateAnnotations({ abc: 'é'.repeat(131071) }, 'metadata.annotations')).toHaveLength(1)
  })

  it('rejects annotations that are not a map of strings', () => {
    expect(messages(validateAnnotations('x', 'metadata.annotations'))).toEqual([
      'metadata.annotations: Invalid value: "x": must be a map of string keys to string values',
    ])
    expect(messages(validateAnnotations({ a: true }, 'metadata.annotations'))).toEqual([
      'metadata.annotations: Invalid value: true: must be a string',
    ])
  })
})
