import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { StatusError } from '../../services/errors.js'
import { formatFieldError } from '../../services/resources/field-errors.js'
import {
  everything,
  isNothing,
  labelSelectorFromObject,
  labelSelectorFromSet,
  labelSelectorToString,
  matchesLabels,
  nothing,
  parseLabelSelector,
  type LabelSelector,
  type Operator,
  type Requirement,
} from '../../services/resources/label-selector.js'

const VALUE_RULE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
const NAME_RULE =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
const KEY_RULE =
  "a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
const PREFIX_RULE =
  "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
const GT_LT_RULE = "for 'Gt', 'Lt' operators, the value must be an integer"
const a64 = 'a'.repeat(64)

const req = (key: string, operator: Operator, ...values: string[]): Requirement => ({ key, operator, values })

function parseError(text: string): StatusError {
  try {
    parseLabelSelector(text)
  } catch (error) {
    if (error instanceof StatusError) return error
    throw error
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`)
}

describe('parseLabelSelector', () => {
  it.each([
    ['', [], ''],
    ['  ', [], ''],
    ['\t\r\n', [], ''],
    ['x', [req('x', 'Exists')], 'x'],
    ['!x', [req('x', 'DoesNotExist')], '!x'],
    ['a ', [req('a', 'Exists')], 'a'],
    ['x=a,y!=b', [req('x', 'Equals', 'a'), req('y', 'NotEquals', 'b')], 'x=a,y!=b'],
    ['x==a', [req('x', 'DoubleEquals', 'a')], 'x==a'],
    ['x in (a,b)', [req('x', 'In', 'a', 'b')], 'x in (a,b)'],
    ['foo  in\t (abc)', [req('foo', 'In', 'abc')], 'foo in (abc)'],
    ['x notin\n (abc)', [req('x', 'NotIn', 'abc')], 'x notin (abc)'],
    [
      '0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)',
      [req('0.1.2.domain/99', 'NotIn', '10.10.100.1', 'tick.tack.clock')],
      '0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)',
    ],
    ['x\r\n=\ta , y', [req('x', 'Equals', 'a'), req('y', 'Exists')], 'x=a,y'],
    ['x in(a)', [req('x', 'In', 'a')], 'x in (a)'],
    ['x>1', [req('x', 'GreaterThan', '1')], 'x>1'],
    ['x < 10', [req('x', 'LessThan', '10')], 'x<10'],
    ['x>9223372036854775807', [req('x', 'GreaterThan', '9223372036854775807')], 'x>9223372036854775807'],
    ['a..b=c', [req('a..b', 'Equals', 'c')], 'a..b=c'],
    ['example.com/MyKey=My_Value', [req('example.com/MyKey', 'Equals', 'My_Value')], 'example.com/MyKey=My_Value'],
  ])('accepts %j', (text, requirements, canonical) => {
    const selector = parseLabelSelector(text)
    expect(selector.requirements).toEqual(requirements)
    expect(labelSelectorToString(selector)).toBe(canonical)
  })

  it.each([
    ['x=', [req('x', 'Equals', '')], 'x='],
    ['x==', [req('x', 'DoubleEquals', '')], 'x=='],
    ['x!=', [req('x', 'NotEquals', '')], 'x!='],
    ['x=,y', [req('x', 'Equals', ''), req('y', 'Exists')], 'x=,y'],
    ['x in ()', [req('x', 'In', '')], 'x in ()'],
    ['x notin ()', [req('x', 'NotIn', '')], 'x notin ()'],
    ['x in (,)', [req('x', 'In', '')], 'x in ()'],
    ['x in (a,)', [req('x', 'In', '', 'a')], 'x in (,a)'],
    ['x in (,a)', [req('x', 'In', '', 'a')], 'x in (,a)'],
    ['x in (a,,b)', [req('x', 'In', '', 'a', 'b')], 'x in (,a,b)'],
    ['x<', [req('x', 'LessThan', '')], null],
  ])('reads the missing value in %j as ""', (text, requirements, canonical) => {
    if (canonical === null) {
      expect(parseError(text).message).toBe(`unable to parse requirement: values[0]: Invalid value: "": ${GT_LT_RULE}`)
      return
    }
    const selector = parseLabelSelector(text)
    expect(selector.requirements).toEqual(requirements)
    expect(labelSelectorToString(selector)).toBe(canonical)
  })

  it.each([
    ['notin=in', [req('notin', 'Equals', 'in')]],
    ['in', [req('in', 'Exists')]],
    ['!notin', [req('notin', 'DoesNotExist')]],
    ['a in (in,notin)', [req('a', 'In', 'in', 'notin')]],
    ['x=in', [req('x', 'Equals', 'in')]],
    ['in in (in)', [req('in', 'In', 'in')]],
  ])('treats in/notin as identifiers outside operator position: %j', (text, requirements) => {
    expect(parseLabelSelector(text).requirements).toEqual(requirements)
  })

  it('sorts requirements by key and keeps repeated keys in their written order', () => {
    const selector = parseLabelSelector('z,y=b,x in (c),y=a')
    expect(labelSelectorToString(selector)).toBe('x in (c),y=b,y=a,z')
  })

  it('de-duplicates and sorts set values', () => {
    expect(parseLabelSelector('x in (c,a,b,a,c)').requirements).toEqual([req('x', 'In', 'a', 'b', 'c')])
  })

  it.each([
    ['x=a||y=b', `unable to parse requirement: values[0][x]: Invalid value: "a||y": ${VALUE_RULE}`],
    ['x==a==b', "found '==', expected: ',' or 'end of string'"],
    ['x,,y', "found ',', expected: identifier after ','"],
    [',x', "found ',', expected: !, identifier, or 'end of string'"],
    ['x,', "found '', expected: identifier after ','"],
    ['a in (xyz abc)', "unable to parse requirement: found 'abc', expected: ',' or ')'"],
    ['a in (xyz)b notin ()', "found 'b', expected: ',' or 'end of string'"],
    ['a notin(', "unable to parse requirement: found '', expected: ',', ')' or identifier"],
    ['(', "found '(', expected: !, identifier, or 'end of string'"],
    ['x nott in (y)', "unable to parse requirement: found 'nott', expected: in, notin, =, ==, !=, gt, lt"],
    ['x<a', `unable to parse requirement: values[0]: Invalid value: "a": ${GT_LT_RULE}`],
    ['x>-1', `unable to parse requirement: values[0][x]: Invalid value: "-1": ${VALUE_RULE}`],
    ['x>9223372036854775808', `unable to parse requirement: values[0]: Invalid value: "9223372036854775808": ${GT_LT_RULE}`],
    ['x>1.5', `unable to parse requirement: values[0]: Invalid value: "1.5": ${GT_LT_RULE}`],
    ['!x=a', "found '=', expected: ',' or 'end of string'"],
    ['!x in (a)', "found 'in', expected: ',' or 'end of string'"],
    ['x=a/b', `unable to parse requirement: values[0][x]: Invalid value: "a/b": ${VALUE_RULE}`],
    [`${a64}=a`, `unable to parse requirement: <nil>: Invalid value: "${a64}": name part must be no more than 63 bytes`],
    [`x=${a64}`, `unable to parse requirement: values[0][x]: Invalid value: "${a64}": must be no more than 63 bytes`],
    [`x=${a64}-`, `unable to parse requirement: values[0][x]: Invalid value: "${a64}-": must be no more than 63 bytes; ${VALUE_RULE}`],
    ['a/b/c=x', `unable to parse requirement: <nil>: Invalid value: "a/b/c": ${KEY_RULE}`],
    ['Example.com/x', `unable to parse requirement: <nil>: Invalid value: "Example.com/x": ${PREFIX_RULE}`],
    ['/x', 'unable to parse requirement: <nil>: Invalid value: "/x": prefix part must be non-empty'],
    ['x/', `unable to parse requirement: <nil>: Invalid value: "x/": name part must be non-empty; ${NAME_RULE}`],
    ['~', `unable to parse requirement: <nil>: Invalid value: "~": ${NAME_RULE}`],
    ['app:web', `unable to parse requirement: <nil>: Invalid value: "app:web": ${NAME_RULE}`],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    ['!!x', "unable to parse requirement: found '!', expected: identifier"],
    ['x in a', "unable to parse requirement: found 'a' expected: '('"],
    ['x in (a', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['x in (a,(', "unable to parse requirement: found '(', expected: ',', or identifier"],
    ['x in ((', "unable to parse requirement: found '(', expected: ',', ')' or identifier"],
    ['x=(', "unable to parse requirement: found '(', expected: identifier"],
    ['x ! y', "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt"],
    ['x y', "unable to parse requirement: found 'y', expected: in, notin, =, ==, !=, gt, lt"],
    ['x=!=y', "unable to parse requirement: found '!=', expected: identifier"],
    ['x=a)', "found ')', expected: ',' or 'end of string'"],
    [
      'x in (a/b,c/d)',
      `unable to parse requirement: [values[0][x]: Invalid value: "a/b": ${VALUE_RULE}, values[1][x]: Invalid value: "c/d": ${VALUE_RULE}]`,
    ],
    ['x<-', `unable to parse requirement: [values[0]: Invalid value: "-": ${GT_LT_RULE}, values[0][x]: Invalid value: "-": ${VALUE_RULE}]`],
  ])('rejects %j with Kubernetes’ message', (text, message) => {
    const error = parseError(text)
    expect(error.reason).toBe('BadRequest')
    expect(error.code).toBe(400)
    expect(error.message).toBe(message)
  })

  it('stops reading at a NUL character as Kubernetes’ lexer does', () => {
    expect(labelSelectorToString(parseLabelSelector('a\0,b'))).toBe('a,b')
    expect(labelSelectorToString(parseLabelSelector('a,\0b'))).toBe('a,b')
    expect(parseError('a, \0b').message).toBe("found '', expected: identifier after ','")
  })
})

describe('matchesLabels', () => {
  const web = { app: 'web', tier: 'front', empty: '', replicas: '3' }
  it.each([
    ['', {}, true],
    ['', undefined, true],
    ['app=web', web, true],
    ['app==web', web, true],
    ['app=Web', web, false],
    ['App=web', web, false],
    ['app=web,tier=back', web, false],
    ['app!=db', web, true],
    ['app!=web', web, false],
    ['missing!=x', web, true],
    ['missing=', web, false],
    ['empty=', web, true],
    ['app in (db,web)', web, true],
    ['app in (db)', web, false],
    ['missing in (db)', web, false],
    ['app notin (web)', web, false],
    ['app notin (db)', web, true],
    ['missing notin (db)', web, true],
    ['empty in ()', web, true],
    ['app in ()', web, false],
    ['missing in ()', web, false],
    ['empty', web, true],
    ['missing', web, false],
    ['!missing', web, true],
    ['!empty', web, false],
    ['replicas>2', web, true],
    ['replicas>3', web, false],
    ['replicas<4', web, true],
    ['replicas<3', web, false],
    ['missing<4', web, false],
    ['app>1', web, false],
    ['app<1', web, false],
  ])('selector %j on %j matches: %s', (text, labels, expected) => {
    expect(matchesLabels(parseLabelSelector(text), labels)).toBe(expected)
  })

  it('compares Gt/Lt values as 64-bit integers, not as strings', () => {
    expect(matchesLabels(parseLabelSelector('n>9'), { n: '10' })).toBe(true)
    expect(matchesLabels(parseLabelSelector('n<9223372036854775807'), { n: '9223372036854775806' })).toBe(true)
    expect(matchesLabels(parseLabelSelector('n>0'), { n: '9223372036854775808' })).toBe(false)
    expect(matchesLabels(parseLabelSelector('n>0'), { n: '+5' })).toBe(true)
  })

  it('does not see inherited properties as labels', () => {
    expect(matchesLabels(parseLabelSelector('constructor'), {})).toBe(false)
    expect(matchesLabels(parseLabelSelector('toString notin (a)'), {})).toBe(true)
  })

  it('matches nothing with the nil selector, everything with the empty one', () => {
    expect(matchesLabels(nothing, {})).toBe(false)
    expect(matchesLabels(nothing, undefined)).toBe(false)
    expect(matchesLabels(nothing, { '': '' })).toBe(false)
    expect(matchesLabels(everything, undefined)).toBe(true)
    expect(labelSelectorToString(nothing)).toBe('')
    expect(isNothing(JSON.parse(JSON.stringify(nothing)) as LabelSelector)).toBe(true)
    expect(isNothing(everything)).toBe(false)
  })

  it('builds an equality selector from a label map', () => {
    const selector = labelSelectorFromSet({ tier: 'front', app: 'web' })
    expect(labelSelectorToString(selector)).toBe('app=web,tier=front')
    expect(matchesLabels(selector, { app: 'web', tier: 'front', x: 'y' })).toBe(true)
    expect(matchesLabels(selector, { app: 'web' })).toBe(false)
    expect(labelSelectorFromSet({})).toEqual(everything)
  })
})

describe('labelSelectorFromObject', () => {
  const messages = (value: unknown, path = 'spec.selector') => labelSelectorFromObject(value, path).errors.map(formatFieldError)
  const text = (value: unknown) => {
    const { selector } = labelSelectorFromObject(value)
    return selector && labelSelectorToString(selector)
  }

  it('selects nothing for a nil selector and everything for an empty one', () => {
    expect(labelSelectorFromObject(null)).toEqual({ selector: nothing, errors: [] })
    expect(labelSelectorFromObject(undefined)).toEqual({ selector: nothing, errors: [] })
    expect(labelSelectorFromObject({})).toEqual({ selector: everything, errors: [] })
    expect(labelSelectorFromObject({ matchLabels: {}, matchExpressions: [] })).toEqual({ selector: everything, errors: [] })
  })

  it.each([
    [{ matchLabels: { app: 'web' } }, 'app=web'],
    [{ matchLabels: { tier: 'front', app: 'web' } }, 'app=web,tier=front'],
    [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a', 'a'] }] }, 'tier in (a,b)'],
    [{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: [''] }] }, 'tier notin ()'],
    [{ matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }, 'gpu'],
    [{ matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist', values: [] }] }, '!gpu'],
    [
      {
        matchLabels: { z: '1' },
        matchExpressions: [
          { key: 'a', operator: 'Exists' },
          { key: 'm', operator: 'In', values: ['x'] },
        ],
      },
      'a,m in (x),z=1',
    ],
  ])('converts %j', (object, expected) => {
    expect(text(object)).toBe(expected)
  })

  it('ANDs matchLabels and matchExpressions when matching', () => {
    const { selector } = labelSelectorFromObject({
      matchLabels: { app: 'web' },
      matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }],
    })
    expect(matchesLabels(selector!, { app: 'web' })).toBe(true)
    expect(matchesLabels(selector!, { app: 'web', tier: 'db' })).toBe(false)
    expect(matchesLabels(selector!, { tier: 'front' })).toBe(false)
  })

  it.each([
    [
      { matchExpressions: [{ key: 'a', operator: 'in', values: ['x'] }] },
      ['spec.selector.matchExpressions[0].operator: Invalid value: "in": not a valid selector operator'],
    ],
    [
      { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] },
      ['spec.selector.matchExpressions[0].operator: Invalid value: "Gt": not a valid selector operator'],
    ],
    [
      { matchExpressions: [{ key: 'a', operator: 'In' }] },
      ["spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"],
    ],
    [
      { matchExpressions: [{ key: 'a', operator: 'NotIn', values: [] }] },
      ["spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"],
    ],
    [
      { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
      ["spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"],
    ],
    [
      { matchExpressions: [{ operator: 'Exists' }] },
      [
        'spec.selector.matchExpressions[0].key: Invalid value: "": name part must be non-empty',
        `spec.selector.matchExpressions[0].key: Invalid value: "": ${NAME_RULE}`,
      ],
    ],
    [
      { matchExpressions: [{ key: 'a b', operator: 'In', values: ['ok', 'a/b'] }] },
      [
        `spec.selector.matchExpressions[0].key: Invalid value: "a b": ${NAME_RULE}`,
        `spec.selector.matchExpressions[0].values[1]: Invalid value: "a/b": ${VALUE_RULE}`,
      ],
    ],
    [
      { matchLabels: { 'a b': 'web', app: 'a/b' } },
      [`spec.selector.matchLabels: Invalid value: "a b": ${NAME_RULE}`, `spec.selector.matchLabels: Invalid value: "a/b": ${VALUE_RULE}`],
    ],
    [
      { matchLabels: { app: `${a64}-` } },
      [
        `spec.selector.matchLabels: Invalid value: "${a64}-": must be no more than 63 bytes`,
        `spec.selector.matchLabels: Invalid value: "${a64}-": ${VALUE_RULE}`,
      ],
    ],
    [
      { matchLabels: { 'Example.com/app': 'web' }, matchExpressions: [{ key: 'x', operator: 'Bogus', values: ['1'] }] },
      [
        `spec.selector.matchLabels: Invalid value: "Example.com/app": ${PREFIX_RULE}`,
        'spec.selector.matchExpressions[0].operator: Invalid value: "Bogus": not a valid selector operator',
      ],
    ],
  ])('reports the field errors of %j', (object, expected) => {
    expect(messages(object)).toEqual(expected)
    expect(labelSelectorFromObject(object, 'spec.selector').selector).toBeNull()
  })

  it('reports values of the wrong type instead of throwing', () => {
    expect(messages('app=web')).toEqual(['spec.selector: Invalid value: "app=web": must be an object'])
    expect(messages({ matchLabels: ['app'] })).toEqual([
      'spec.selector.matchLabels: Invalid value: ["app"]: must be a map of label keys to values',
    ])
    expect(messages({ matchLabels: { app: 1 } })).toEqual(['spec.selector.matchLabels[app]: Invalid value: 1: must be a string'])
    expect(messages({ matchExpressions: {} })).toEqual(['spec.selector.matchExpressions: Invalid value: {}: must be a list'])
    expect(messages({ matchExpressions: [null] })).toEqual(['spec.selector.matchExpressions[0]: Invalid value: null: must be an object'])
    expect(messages({ matchExpressions: [{ key: 'a', operator: 'In', values: [1] }] })).toEqual([
      'spec.selector.matchExpressions[0].values: Invalid value: [1]: must be a list of strings',
    ])
  })

  it('names paths from the root when no field path is given', () => {
    expect(messages({ matchExpressions: [{ key: 'a', operator: 'In' }] }, '')).toEqual([
      "matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    ])
  })
})

// ---- properties ----

const nameChar = fc.constantFrom(...'abcXYZ019-_.')
const alnum = fc.constantFrom(...'abcXYZ019')
const labelName = fc
  .tuple(alnum, fc.string({ unit: nameChar, maxLength: 8 }), alnum)
  .map(([first, middle, last]) => (middle === '' ? first : first + middle + last))
const labelValue = fc.oneof(fc.constant(''), fc.constantFrom('in', 'notin'), labelName)
const prefix = fc.array(fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,4}[a-z0-9])?$/), { minLength: 1, maxLength: 3 }).map((p) => p.join('.'))
const labelKey = fc.oneof(
  labelName,
  fc.constantFrom('in', 'notin'),
  fc.tuple(prefix, labelName).map(([p, n]) => `${p}/${n}`),
)
const integer = fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }).map(String)
const uniqueSorted = (values: string[]) => [...new Set(values)].sort()

const requirement: fc.Arbitrary<Requirement> = fc.oneof(
  fc.tuple(labelKey, fc.constantFrom<Operator>('Exists', 'DoesNotExist')).map(([key, operator]) => req(key, operator)),
  fc
    .tuple(labelKey, fc.constantFrom<Operator>('Equals', 'DoubleEquals', 'NotEquals'), labelValue)
    .map(([key, operator, value]) => req(key, operator, value)),
  fc
    .tuple(labelKey, fc.constantFrom<Operator>('In', 'NotIn'), fc.array(labelValue, { minLength: 1, maxLength: 4 }))
    .map(([key, operator, values]) => req(key, operator, ...uniqueSorted(values))),
  fc
    .tuple(labelKey, fc.constantFrom<Operator>('GreaterThan', 'LessThan'), integer)
    .map(([key, operator, value]) => req(key, operator, value)),
)
const selector: fc.Arbitrary<LabelSelector> = fc
  .array(requirement, { maxLength: 5 })
  .map((requirements) => ({ requirements: [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) }))

/** A deliberately plain restatement of Kubernetes' Requirement.Matches, to check matchesLabels against. */
function reference(s: LabelSelector, labels: Record<string, string>): boolean {
  const map = new Map(Object.entries(labels))
  return s.requirements.every(({ key, operator, values }) => {
    const value = map.get(key)
    if (operator === 'Exists') return value !== undefined
    if (operator === 'DoesNotExist') return value === undefined
    if (operator === 'In' || operator === 'Equals' || operator === 'DoubleEquals') return value !== undefined && values.includes(value)
    if (operator === 'NotIn' || operator === 'NotEquals') return value === undefined || !values.includes(value)
    if (value === undefined || !/^[0-9]+$/.test(value) || BigInt(value) >= 2n ** 63n) return false
    return operator === 'GreaterThan' ? BigInt(value) > BigInt(values[0]!) : BigInt(value) < BigInt(values[0]!)
  })
}

describe('label selector properties', () => {
  it('parses the canonical string of any valid selector back to the same selector', () => {
    fc.assert(
      fc.property(selector, (s) => {
        expect(parseLabelSelector(labelSelectorToString(s))).toEqual(s)
      }),
      { numRuns: 500 },
    )
  })

  it('matches exactly the label sets the reference evaluation matches', () => {
    const labels = fc.dictionary(fc.constantFrom('a', 'b', 'in', 'x.io/a'), fc.constantFrom('', 'a', 'in', '0', '7', '12'))
    const small = fc
      .array(
        fc.oneof(
          fc
            .tuple(fc.constantFrom('a', 'b', 'in', 'x.io/a'), fc.constantFrom<Operator>('Exists', 'DoesNotExist'))
            .map(([k, o]) => req(k, o)),
          fc
            .tuple(
              fc.constantFrom('a', 'b', 'in', 'x.io/a'),
              fc.constantFrom<Operator>('In', 'NotIn', 'Equals', 'NotEquals'),
              fc.uniqueArray(fc.constantFrom('', 'a', 'in', '0'), { minLength: 1, maxLength: 3 }),
            )
            .map(([k, o, v]) => req(k, o, ...(o === 'In' || o === 'NotIn' ? v.sort() : v.slice(0, 1)))),
          fc
            .tuple(fc.constantFrom('a', 'b'), fc.constantFrom<Operator>('GreaterThan', 'LessThan'), fc.constantFrom('0', '7', '10'))
            .map(([k, o, v]) => req(k, o, v)),
        ),
        { maxLength: 3 },
      )
      .map((requirements) => ({ requirements }))
    fc.assert(
      fc.property(small, labels, (s, l) => {
        expect(matchesLabels(s, l)).toBe(reference(s, l))
        expect(matchesLabels(parseLabelSelector(labelSelectorToString(s)), l)).toBe(reference(s, l))
      }),
      { numRuns: 1000 },
    )
  })

  it('either rejects arbitrary text with a BadRequest or yields a selector whose string parses to itself', () => {
    const text = fc.array(fc.constantFrom('a', 'b', '1', ' ', ',', '=', '!', '(', ')', '<', '>', 'in', 'notin', '/', '-', '\t'), {
      maxLength: 14,
    })
    fc.assert(
      fc.property(text, (parts) => {
        let parsed: LabelSelector
        try {
          parsed = parseLabelSelector(parts.join(''))
        } catch (error) {
          expect(error).toBeInstanceOf(StatusError)
          expect((error as StatusError).reason).toBe('BadRequest')
          return
        }
        expect(parseLabelSelector(labelSelectorToString(parsed))).toEqual(parsed)
      }),
      { numRuns: 2000 },
    )
  })
})
