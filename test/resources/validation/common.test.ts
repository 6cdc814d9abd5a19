import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatFieldError, type FieldError } from '../../../services/resources/field-errors.js'
import {
  ianaServiceName,
  validateImage,
  validateNonNegative,
  validatePort,
  validatePortName,
  validatePortNumberOrName,
} from '../../../services/resources/validation/common.js'

const messages = (errors: FieldError[]) => errors.map(formatFieldError)

describe('validatePort', () => {
  it.each([[1], [80], [8080], [65535]])('accepts %i', (port) => {
    expect(validatePort(port, 'spec.ports[0].port')).toEqual([])
  })

  it.each<[unknown, string]>([
    [0, '0'],
    [65536, '65536'],
    [-1, '-1'],
    [80.5, '80.5'],
    ['80', '"80"'],
    [undefined, '0'],
  ])('rejects %j', (port, printed) => {
    expect(messages(validatePort(port, 'spec.ports[0].port'))).toEqual([
      `spec.ports[0].port: Invalid value: ${printed}: must be between 1 and 65535, inclusive`,
    ])
  })
})

describe('validatePortName', () => {
  it.each([['http'], ['h2c'], ['web-1'], ['a'], ['1a'], ['a-b-c'], ['abcdefghijklmno']])('accepts %j', (name) => {
    expect(validatePortName(name, 'spec.containers[0].ports[0].name')).toEqual([])
  })

  it('treats an absent name as valid', () => {
    expect(validatePortName(undefined, 'f')).toEqual([])
  })

  it.each([
    ['abcdefghijklmnop', ['must be no more than 15 bytes']],
    ['HTTP', ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)', 'must contain at least one letter (a-z)']],
    ['8080', ['must contain at least one letter (a-z)']],
    ['a--b', ['must not contain consecutive hyphens']],
    ['-http', ['must not begin or end with a hyphen']],
    ['http-', ['must not begin or end with a hyphen']],
    ['web_1', ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)']],
    ['', ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)', 'must contain at least one letter (a-z)']],
    ['--', ['must contain at least one letter (a-z)', 'must not contain consecutive hyphens', 'must not begin or end with a hyphen']],
  ])('rejects %j', (name, expected) => {
    expect(ianaServiceName(name)).toEqual(expected)
    expect(messages(validatePortName(name, 'f'))).toEqual(expected.map((m) => `f: Invalid value: ${JSON.stringify(name)}: ${m}`))
  })

  it('rejects a name that is not a string', () => {
    expect(messages(validatePortName(80, 'f'))).toEqual(['f: Invalid value: 80: must be a string'])
  })

  it('accepts exactly the names of at most 15 bytes of [-a-z0-9] with a letter and no edge or double hyphens', () => {
    const name = fc.string({ unit: fc.constantFrom(...'abz09-A_'), maxLength: 17 })
    fc.assert(
      fc.property(name, (n) => {
        const valid = n.length <= 15 && /^[-a-z0-9]+$/.test(n) && /[a-z]/.test(n) && !/--|^-|-$/.test(n)
        expect(ianaServiceName(n).length === 0).toBe(valid)
      }),
    )
  })
})

describe('validatePortNumberOrName', () => {
  it('checks numbers as ports and strings as names', () => {
    expect(validatePortNumberOrName(8080, 'spec.ports[0].targetPort')).toEqual([])
    expect(validatePortNumberOrName('http', 'spec.ports[0].targetPort')).toEqual([])
    expect(messages(validatePortNumberOrName(0, 't'))).toEqual(['t: Invalid value: 0: must be between 1 and 65535, inclusive'])
    expect(messages(validatePortNumberOrName('HTTP', 't'))).toHaveLength(2)
  })
})

describe('validateNonNegative', () => {
  it.each([[0], [1], [2 ** 40], [undefined], [null], [5n]])('accepts %s', (value) => {
    expect(validateNonNegative(value, 'spec.replicas')).toEqual([])
  })

  it('rejects a negative count', () => {
    expect(messages(validateNonNegative(-1, 'spec.replicas'))).toEqual([
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    ])
    expect(messages(validateNonNegative(-3n, 'x'))).toEqual(['x: Invalid value: -3: must be greater than or equal to 0'])
  })

  it('rejects a value that is not an integer', () => {
    expect(messages(validateNonNegative(1.5, 'x'))).toEqual(['x: Invalid value: 1.5: must be an integer'])
    expect(messages(validateNonNegative('3', 'x'))).toEqual(['x: Invalid value: "3": must be an integer'])
  })
})

describe('validateImage', () => {
  it.each([['nginx'], ['nginx:1.25'], ['registry.example.com:5000/team/app@sha256:abc'], ['a b']])('accepts %j', (image) => {
    expect(validateImage(image, 'spec.containers[0].image')).toEqual([])
  })

  it.each([[undefined], [null], ['']])('requires an image (%j)', (image) => {
    expect(messages(validateImage(image, 'spec.containers[0].image'))).toEqual(['spec.containers[0].image: Required value'])
  })

  it.each([[' nginx'], ['nginx '], ['\tnginx'], ['nginx\n'], ['   '], ['nginx\u00a0'], ['\u0085nginx'], ['nginx\u3000']])(
    'rejects surrounding whitespace in %j',
    (image) => {
      expect(messages(validateImage(image, 'spec.containers[0].image'))).toEqual([
        `spec.containers[0].image: Invalid value: ${JSON.stringify(image)}: must not have leading or trailing whitespace`,
      ])
    },
  )

  it('does not count a byte-order mark as whitespace, as Go does not', () => {
    expect(validateImage('\uFEFFnginx', 'f')).toEqual([])
  })

  it('rejects an image that is not a string', () => {
    expect(messages(validateImage(42, 'f'))).toEqual(['f: Invalid value: 42: must be a string'])
  })
})
