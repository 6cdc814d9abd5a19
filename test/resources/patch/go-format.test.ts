import { describe, expect, it } from 'vitest'
import { goString, goTypeName, goValue } from '../../../services/resources/patch/go-format.js'

describe('goValue', () => {
  it('prints maps with sorted keys and unquoted strings, as fmt %v does', () => {
    expect(goValue({ name: 'app', image: 'nginx', ports: [{ containerPort: 80 }], tty: true, x: null })).toBe(
      'map[image:nginx name:app ports:[map[containerPort:80]] tty:true x:<nil>]',
    )
  })

  it('prints floats in the shortest form, with an exponent outside [1e-4, 1e21)', () => {
    expect([0.5, 1.25e-5, 1e21, 2.5e22, 0.0001].map(goValue)).toEqual(['0.5', '1.25e-05', '1e+21', '2.5e+22', '0.0001'])
  })
})

describe('goString', () => {
  it('marks non-strings the way %s does', () => {
    expect([7, 1.5, true, null, 'replace'].map(goString)).toEqual([
      '%!s(int64=7)',
      '%!s(float64=1.5)',
      '%!s(bool=true)',
      '%!s(<nil>)',
      'replace',
    ])
  })
})

describe('goTypeName', () => {
  it('names decoded JSON values as reflect does', () => {
    expect([[], {}, 'a', 1, 1.5, false].map(goTypeName)).toEqual([
      '[]interface {}',
      'map[string]interface {}',
      'string',
      'int64',
      'float64',
      'bool',
    ])
  })
})
