import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatFieldError } from '../../../services/resources/field-errors.js'
import {
  dns1035Label,
  dns1123Label,
  dns1123Subdomain,
  maskTrailingDash,
  pathSegmentName,
  qualifiedName,
  validateName,
  type NameRule,
} from '../../../services/resources/validation/names.js'

// Verbatim from Kubernetes (note the two spaces before each `or`).
const labelRegex =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
const subdomainRegex =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
const dns1035Regex =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
const namePartRegex =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"

const a = (n: number) => 'a'.repeat(n)

describe('dns1123Label', () => {
  it.each([['a'], ['0'], ['my-name'], ['123-abc'], ['a--b'], [a(63)], ['1web']])('accepts %j', (value) => {
    expect(dns1123Label(value)).toEqual([])
  })

  it.each([
    ['', [labelRegex]],
    ['-a', [labelRegex]],
    ['a-', [labelRegex]],
    ['Web', [labelRegex]],
    ['web_1', [labelRegex]],
    ['a.b', ['must not contain dots']],
    [a(64), ['must be no more than 63 bytes']],
    [`${a(63)}-`, ['must be no more than 63 bytes', labelRegex]],
    [`${a(32)}.${a(32)}`, ['must be no more than 63 bytes', 'must not contain dots']],
  ])('rejects %j', (value, messages) => {
    expect(dns1123Label(value)).toEqual(messages)
  })
})

describe('dns1123Subdomain', () => {
  it.each([['a'], ['example.com'], ['a.b-c.d'], ['0.0'], [a(253)], [`${a(63)}.${a(63)}.${a(63)}.${a(61)}`], [a(100)]])(
    'accepts %j (no per-segment limit)',
    (value) => {
      expect(dns1123Subdomain(value)).toEqual([])
    },
  )

  it.each([
    ['', [subdomainRegex]],
    ['.a', [subdomainRegex]],
    ['a.', [subdomainRegex]],
    ['a..b', [subdomainRegex]],
    ['a.-b', [subdomainRegex]],
    ['Example.com', [subdomainRegex]],
    ['a_b', [subdomainRegex]],
    ['ünïcode', [subdomainRegex]],
    [a(254), ['must be no more than 253 bytes']],
    [`${a(253)}-`, ['must be no more than 253 bytes', subdomainRegex]],
  ])('rejects %j', (value, messages) => {
    expect(dns1123Subdomain(value)).toEqual(messages)
  })
})

describe('dns1035Label', () => {
  it.each([['a'], ['web'], ['my-name'], ['abc-123'], [a(63)]])('accepts %j', (value) => {
    expect(dns1035Label(value)).toEqual([])
  })

  it.each([
    ['1web', [dns1035Regex]],
    ['', [dns1035Regex]],
    ['web-', [dns1035Regex]],
    ['a.b', [dns1035Regex]],
    ['Web', [dns1035Regex]],
    [a(64), ['must be no more than 63 bytes']],
  ])('rejects %j', (value, messages) => {
    expect(dns1035Label(value)).toEqual(messages)
  })
})

describe('pathSegmentName', () => {
  it.each([['system:node'], ['Admin'], ['a b'], ['...'], [''], [a(1000)]])('accepts %j', (value) => {
    expect(pathSegmentName(value)).toEqual([])
  })

  it.each([
    ['.', ["may not be '.'"]],
    ['..', ["may not be '..'"]],
    ['a/b', ["may not contain '/'"]],
    ['50%', ["may not contain '%'"]],
    ['/%', ["may not contain '/'", "may not contain '%'"]],
  ])('rejects %j', (value, messages) => {
    expect(pathSegmentName(value)).toEqual(messages)
  })
})

describe('qualifiedName', () => {
  it.each([
    ['app'],
    ['MyName'],
    ['my.name'],
    ['a..b'],
    ['a__b'],
    ['a-_.b'],
    ['1'],
    [a(63)],
    ['example.com/MyName'],
    ['app.kubernetes.io/name'],
    [`${a(253)}/${a(63)}`],
  ])('accepts %j', (value) => {
    expect(qualifiedName(value)).toEqual([])
  })

  it.each([
    ['', ['name part must be non-empty', namePartRegex]],
    ['-a', [namePartRegex]],
    ['a.', [namePartRegex]],
    ['a b', [namePartRegex]],
    [a(64), ['name part must be no more than 63 bytes']],
    ['/a', ['prefix part must be non-empty']],
    ['example.com/', ['name part must be non-empty', namePartRegex]],
    ['Example.com/a', [`prefix part ${subdomainRegex}`]],
    [`${a(254)}/a`, ['prefix part must be no more than 253 bytes']],
  ])('rejects %j', (value, messages) => {
    expect(qualifiedName(value)).toEqual(messages)
  })

  it('rejects more than one slash with the whole-key message', () => {
    expect(qualifiedName('a/b/c')).toEqual([
      "a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ])
  })
})

describe('validateName', () => {
  it('reports an invalid name with the value and the rule’s message', () => {
    expect(validateName('dns1123-subdomain', 'Web_1', 'metadata.name').map(formatFieldError)).toEqual([
      `metadata.name: Invalid value: "Web_1": ${subdomainRegex}`,
    ])
  })

  it('requires a name or generateName when the name is empty', () => {
    expect(validateName('dns1123-label', '', 'metadata.name').map(formatFieldError)).toEqual([
      'metadata.name: Required value: name or generateName is required',
    ])
  })

  it('treats an empty generateName as absent', () => {
    expect(validateName('dns1123-label', '', 'metadata.generateName', { prefix: true })).toEqual([])
  })

  it('rejects a Service-style name that starts with a digit under the DNS-1035 rule only', () => {
    expect(validateName('dns1123-label', '1web', 'metadata.name')).toEqual([])
    expect(validateName('dns1035-label', '1web', 'metadata.name').map((e) => e.body)).toEqual([`Invalid value: "1web": ${dns1035Regex}`])
  })

  it('allows RBAC-style names with colons and capitals under the path-segment rule', () => {
    expect(validateName('path-segment', 'system:Node', 'metadata.name')).toEqual([])
    expect(validateName('path-segment', 'a/b', 'metadata.name').map((e) => e.body)).toEqual([`Invalid value: "a/b": may not contain '/'`])
  })

  it.each<[NameRule, string]>([
    ['dns1123-label', 'nginx-'],
    ['dns1123-subdomain', 'web.app-'],
    ['dns1035-label', 'web-'],
    ['path-segment', '.'],
  ])('accepts the generateName prefix %s %j', (rule, prefix) => {
    expect(validateName(rule, prefix, 'metadata.generateName', { prefix: true })).toEqual([])
  })

  it('rejects a trailing dash in a name that is not a prefix', () => {
    expect(validateName('dns1123-label', 'nginx-', 'metadata.name')).toHaveLength(1)
  })

  it('still rejects a prefix that is invalid before its trailing dash', () => {
    expect(validateName('dns1123-subdomain', 'Nginx-', 'metadata.generateName', { prefix: true })).toEqual([
      { type: 'FieldValueInvalid', field: 'metadata.generateName', body: `Invalid value: "Nginx-": ${subdomainRegex}` },
    ])
  })

  it('masks a trailing dash as Kubernetes does, dropping the character before it', () => {
    expect(maskTrailingDash('nginx-')).toBe('ngina')
    expect(maskTrailingDash('x.-')).toBe('xa')
    expect(maskTrailingDash('-')).toBe('-')
    expect(maskTrailingDash('web')).toBe('web')
    // so 'a.-' passes as a prefix although 'a.' + random would not be a valid name
    expect(validateName('dns1123-subdomain', 'a.-', 'metadata.generateName', { prefix: true })).toEqual([])
  })

  it('counts the name limit before masking: a 64-byte prefix ending in a dash still passes', () => {
    expect(validateName('dns1123-label', `${a(63)}-`, 'metadata.generateName', { prefix: true })).toEqual([])
    expect(validateName('dns1123-label', `${a(64)}-`, 'metadata.generateName', { prefix: true })).toHaveLength(1)
  })
})

describe('name format properties', () => {
  const label = fc
    .string({ unit: fc.constantFrom(...'abcxyz0189-'), minLength: 1, maxLength: 63 })
    .filter((value) => /^[a-z0-9]/.test(value) && /[a-z0-9]$/.test(value))

  it('accepts as a subdomain and as a qualified name every valid DNS-1123 label', () => {
    fc.assert(
      fc.property(label, (value) => {
        expect(dns1123Label(value)).toEqual([])
        expect(dns1123Subdomain(value)).toEqual([])
        expect(qualifiedName(value)).toEqual([])
      }),
    )
  })

  it('accepts a valid label followed by a dash as a generateName prefix', () => {
    fc.assert(
      fc.property(label, (value) => {
        expect(validateName('dns1123-label', `${value}-`, 'metadata.generateName', { prefix: true })).toEqual([])
      }),
    )
  })

  it('accepts dot-joined labels up to 253 bytes as a subdomain, and nothing longer', () => {
    fc.assert(
      fc.property(fc.array(label, { minLength: 1, maxLength: 6 }), (labels) => {
        const value = labels.join('.')
        expect(dns1123Subdomain(value).length === 0).toBe(value.length <= 253)
      }),
    )
  })
})
