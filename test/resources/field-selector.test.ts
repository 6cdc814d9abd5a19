import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { StatusError } from '../../services/errors.js'
import {
  checkSupportedFields,
  escapeFieldValue,
  fieldSelectorToString,
  matchesFields,
  metadataFieldLabels,
  parseFieldSelector,
  type FieldRequirement,
  type FieldSelector,
} from '../../services/resources/field-selector.js'

function failure(run: () => unknown): StatusError {
  try {
    run()
  } catch (error) {
    if (error instanceof StatusError) return error
    throw error
  }
  throw new Error('expected a StatusError')
}

const podFields = [...metadataFieldLabels, 'spec.nodeName', 'status.phase']

describe('parseFieldSelector', () => {
  it.each<[string, FieldRequirement[], string]>([
    ['', [], ''],
    ['metadata.name=web', [{ field: 'metadata.name', operator: '=', value: 'web' }], 'metadata.name=web'],
    ['metadata.name==web', [{ field: 'metadata.name', operator: '==', value: 'web' }], 'metadata.name=web'],
    ['status.phase!=Running', [{ field: 'status.phase', operator: '!=', value: 'Running' }], 'status.phase!=Running'],
    ['spec.nodeName=', [{ field: 'spec.nodeName', operator: '=', value: '' }], 'spec.nodeName='],
    [
      'status.phase=Running,metadata.name=web',
      [
        { field: 'metadata.name', operator: '=', value: 'web' },
        { field: 'status.phase', operator: '=', value: 'Running' },
      ],
      'metadata.name=web,status.phase=Running',
    ],
    [
      'a=1,,b=2,',
      [
        { field: 'a', operator: '=', value: '1' },
        { field: 'b', operator: '=', value: '2' },
      ],
      'a=1,b=2',
    ],
    ['a=!b', [{ field: 'a', operator: '=', value: '!b' }], 'a=!b'],
    [' a = b ', [{ field: ' a ', operator: '=', value: ' b ' }], ' a = b '],
  ])('parses %j', (text, requirements, canonical) => {
    const selector = parseFieldSelector(text)
    expect(selector.requirements).toEqual(requirements)
    expect(fieldSelectorToString(selector)).toBe(canonical)
  })

  it.each([
    ['metadata.name=a\\,b', 'a,b'],
    ['metadata.name=a\\=b', 'a=b'],
    ['metadata.name=a\\\\b', 'a\\b'],
    ['metadata.name=\\\\\\,\\=', '\\,='],
  ])('unescapes the value of %j', (text, value) => {
    const selector = parseFieldSelector(text)
    expect(selector.requirements).toEqual([{ field: 'metadata.name', operator: '=', value }])
    expect(fieldSelectorToString(selector)).toBe(text)
  })

  it('splits at a comma that follows an escaped backslash', () => {
    expect(parseFieldSelector('x=a\\\\,y=b').requirements).toEqual([
      { field: 'x', operator: '=', value: 'a\\' },
      { field: 'y', operator: '=', value: 'b' },
    ])
  })

  it('drops terms whose field and value are both empty, as Kubernetes does', () => {
    expect(parseFieldSelector('=').requirements).toEqual([])
    expect(parseFieldSelector('!=,a=b').requirements).toEqual([{ field: 'a', operator: '=', value: 'b' }])
    expect(parseFieldSelector('=x').requirements).toEqual([{ field: '', operator: '=', value: 'x' }])
  })

  it.each([
    ['metadata.name', "invalid selector: 'metadata.name'; can't understand 'metadata.name'"],
    ['a=b,c', "invalid selector: 'a=b,c'; can't understand 'c'"],
    ['a<b', "invalid selector: 'a<b'; can't understand 'a<b'"],
    ['x in (a)', "invalid selector: 'x in (a)'; can't understand 'x in (a)'"],
    ['status.phase=Cl=ean', 'invalid field selector: unescaped character in value: 61'],
    ['metadata.name!==web', 'invalid field selector: unescaped character in value: 61'],
    ['metadata.name===web', 'invalid field selector: unescaped character in value: 61'],
    ['metadata.name=a\\x', 'invalid field selector: invalid escape sequence: \\x'],
    ['metadata.name=a\\', 'invalid field selector: invalid escape sequence: \\'],
  ])('rejects %j with Kubernetes’ message', (text, message) => {
    const error = failure(() => parseFieldSelector(text))
    expect(error.reason).toBe('BadRequest')
    expect(error.message).toBe(message)
  })
})

describe('matchesFields', () => {
  const pod = { 'metadata.name': 'web', 'status.phase': 'Running', 'spec.nodeName': '' }
  it.each([
    ['', true],
    ['metadata.name=web', true],
    ['metadata.name==web', true],
    ['metadata.name=Web', false],
    ['metadata.name!=web', false],
    ['metadata.name!=db', true],
    ['metadata.name=web,status.phase=Pending', false],
    ['metadata.name=web,status.phase!=Pending', true],
    ['spec.nodeName=', true],
    ['spec.nodeName!=', false],
    ['metadata.namespace=', true],
    ['metadata.namespace!=default', true],
    ['metadata.namespace=default', false],
    ['constructor=', true],
  ])('%j on a running pod named web matches: %s', (text, expected) => {
    expect(matchesFields(parseFieldSelector(text), pod)).toBe(expected)
  })
})

describe('checkSupportedFields', () => {
  it('accepts fields the kind supports', () => {
    expect(() => checkSupportedFields(parseFieldSelector('metadata.name=a,status.phase!=Failed'), podFields)).not.toThrow()
    expect(() => checkSupportedFields(parseFieldSelector(''), [])).not.toThrow()
  })

  it.each([
    ['spec.restartPolicy=Always', 'field label not supported: spec.restartPolicy'],
    ['metadata.name=a, status.phase=Running', 'field label not supported:  status.phase'],
    ['=x', 'field label not supported: '],
    ['z=1,b=2', 'field label not supported: b'],
  ])('rejects %j with BadRequest', (text, message) => {
    const error = failure(() => checkSupportedFields(parseFieldSelector(text), podFields))
    expect(error.reason).toBe('BadRequest')
    expect(error.code).toBe(400)
    expect(error.message).toBe(message)
  })
})

describe('field selector properties', () => {
  const field = fc.stringMatching(/^[a-z][a-zA-Z.]{0,10}$/)
  const value = fc.string({ unit: fc.constantFrom('a', 'B', '1', '\\', ',', '=', '!', ' ', '(', 'é'), maxLength: 8 })
  const requirement = fc.record({ field, operator: fc.constantFrom<FieldRequirement['operator']>('=', '==', '!='), value })
  const selector = fc.array(requirement, { maxLength: 4 }).map((requirements): FieldSelector => ({ requirements }))
  const fields = fc.dictionary(field, value)

  it('keeps every value through escaping and parsing', () => {
    fc.assert(
      fc.property(field, value, (f, v) => {
        expect(parseFieldSelector(`${f}=${escapeFieldValue(v)}`).requirements).toEqual([{ field: f, operator: '=', value: v }])
      }),
    )
  })

  it('parses its canonical string back to a selector that prints and matches the same', () => {
    fc.assert(
      fc.property(selector, fields, (s, f) => {
        const reparsed = parseFieldSelector(fieldSelectorToString(s))
        expect(reparsed.requirements).toHaveLength(s.requirements.length)
        expect(parseFieldSelector(fieldSelectorToString(reparsed))).toEqual(reparsed)
        expect(matchesFields(reparsed, f)).toBe(matchesFields(s, f))
      }),
      { numRuns: 500 },
    )
  })
})
