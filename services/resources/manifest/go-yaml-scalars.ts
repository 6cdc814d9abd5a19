import type { ScalarTag, Tags } from 'yaml'

/** The prefix of the YAML core tags (`!!str` is `tag:yaml.org,2002:str`). */
export const CORE = 'tag:yaml.org,2002:'

/**
 * go-yaml v2's implicit scalar types (YAML 1.1 booleans, Go's integer literals, floats) in place of
 * YAML 1.2 core's; `manifest.ts` lists the rules.
 */
export function goYamlScalars(tags: Tags): Tags {
  const kept = tags.filter((tag) => typeof tag === 'object' && (tag.collection || tag.tag === `${CORE}str` || tag.tag === `${CORE}null`))
  const scalar = (tag: string, test: RegExp, resolve: ScalarTag['resolve']): ScalarTag => ({
    tag: CORE + tag,
    default: true,
    test,
    resolve,
  })
  return [
    ...kept,
    scalar('bool', /^(?:y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON)$/, () => true),
    scalar('bool', /^(?:n|N|no|No|NO|false|False|FALSE|off|Off|OFF)$/, () => false),
    scalar('int', /^[-+]?(?:0[xX]_*[0-9a-fA-F][0-9a-fA-F_]*|0[oO]_*[0-7][0-7_]*|0[bB]_*[01][01_]*|[0-9][0-9_]*)$/, goInteger),
    scalar('float', /^[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?$/, (s) => Number(s.replaceAll('_', ''))),
    scalar('float', /^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/, (s) =>
      /n/i.test(s) ? NaN : s.startsWith('-') ? -Infinity : Infinity,
    ),
  ]
}

/** An integer as Go's strconv.ParseInt(s, 0, 64) reads it once go-yaml has dropped `_`; a bigint if unsafe. */
function goInteger(source: string): number | bigint {
  const plain = source.replaceAll('_', '')
  const digits = plain.replace(/^[-+]/, '')
  const prefixed = /^0[xob]/i.test(digits) ? `0${digits[1]!.toLowerCase()}${digits.slice(2)}` : digits
  const magnitude = BigInt(/^0[0-7]+$/.test(prefixed) ? `0o${prefixed.slice(1)}` : prefixed)
  const value = plain.startsWith('-') ? -magnitude : magnitude
  return Number.isSafeInteger(Number(value)) ? Number(value) : value
}
