import { fieldError, type FieldError } from '../field-errors.js'
import { byteLength } from './byte-length.js'
import { emptyError, maxLenError, regexError } from './messages.js'

/**
 * Name formats as Kubernetes checks them (apimachinery `api/validate/content/dns.go`, `kube.go`,
 * `path.go`). Each format function returns the list of detail messages Kubernetes would report,
 * `[]` when the value is valid; `validateName` turns them into field errors.
 */

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?'
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`
const dns1035LabelFmt = '[a-z]([-a-z0-9]*[a-z0-9])?'
const qualifiedNameFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'

const dns1123LabelRegexp = anchored(dns1123LabelFmt)
const dns1123SubdomainRegexp = anchored(dns1123SubdomainFmt)
const dns1035LabelRegexp = anchored(dns1035LabelFmt)
const qualifiedNameRegexp = anchored(qualifiedNameFmt)

const dns1123LabelErrMsg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
const dns1123SubdomainErrMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
const dns1035LabelErrMsg =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character"
const qualifiedNameErrMsg =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"

/** Maximum length of a DNS-1123 or DNS-1035 label, in bytes. */
export const DNS1123_LABEL_MAX_LENGTH = 63
/** Maximum length of a DNS-1123 subdomain, in bytes. */
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253
/** Maximum length of the name part of a qualified name (label key), in bytes. */
export const QUALIFIED_NAME_MAX_LENGTH = 63

/**
 * An RFC 1123 label (`[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 bytes): namespace names, container
 * names. A value that is a valid subdomain but not a label gets `must not contain dots`.
 */
export function dns1123Label(value: string): string[] {
  const errors: string[] = []
  if (byteLength(value) > DNS1123_LABEL_MAX_LENGTH) errors.push(maxLenError(DNS1123_LABEL_MAX_LENGTH))
  if (!dns1123LabelRegexp.test(value)) {
    errors.push(
      dns1123SubdomainRegexp.test(value) ? 'must not contain dots' : regexError(dns1123LabelErrMsg, dns1123LabelFmt, 'my-name', '123-abc'),
    )
  }
  return errors
}

/**
 * An RFC 1123 subdomain (dot-separated labels, at most 253 bytes): most object names. The 63-byte
 * limit per segment is not enforced, as in Kubernetes.
 */
export function dns1123Subdomain(value: string): string[] {
  const errors: string[] = []
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) errors.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH))
  if (!dns1123SubdomainRegexp.test(value)) {
    errors.push(regexError(dns1123SubdomainErrMsg, dns1123SubdomainFmt, 'example.com'))
  }
  return errors
}

/** An RFC 1035 label (starts with a letter, at most 63 bytes): Service names. */
export function dns1035Label(value: string): string[] {
  const errors: string[] = []
  if (byteLength(value) > DNS1123_LABEL_MAX_LENGTH) errors.push(maxLenError(DNS1123_LABEL_MAX_LENGTH))
  if (!dns1035LabelRegexp.test(value)) {
    errors.push(regexError(dns1035LabelErrMsg, dns1035LabelFmt, 'my-name', 'abc-123'))
  }
  return errors
}

/**
 * A name that can be used as one path segment (RBAC objects): anything but `.` and `..`, without
 * `/` or `%`. Like Kubernetes, neither emptiness nor length is checked here.
 */
export function pathSegmentName(value: string): string[] {
  if (value === '.' || value === '..') return [`may not be '${value}'`]
  return pathSegmentPrefix(value)
}

/** A prefix of a path-segment name (a generateName): only `/` and `%` are ruled out. */
export function pathSegmentPrefix(value: string): string[] {
  return ['/', '%'].filter((illegal) => value.includes(illegal)).map((illegal) => `may not contain '${illegal}'`)
}

/**
 * A qualified name, the label-key format `[prefix/]name`: the name part 1–63 bytes of
 * `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]` (uppercase and `a..b` are fine), the optional prefix
 * a lowercase DNS-1123 subdomain. Also the rule for finalizers and annotation keys.
 */
export function qualifiedName(value: string): string[] {
  const parts = value.split('/')
  if (parts.length > 2) {
    return [
      `a valid label key ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')}` +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ]
  }
  const errors: string[] = []
  const name = parts.length === 2 ? parts[1]! : parts[0]!
  if (parts.length === 2) {
    const prefix = parts[0]!
    if (prefix === '') errors.push(`prefix part ${emptyError()}`)
    else errors.push(...dns1123Subdomain(prefix).map((message) => `prefix part ${message}`))
  }
  if (name === '') errors.push(`name part ${emptyError()}`)
  else if (byteLength(name) > QUALIFIED_NAME_MAX_LENGTH) errors.push(`name part ${maxLenError(QUALIFIED_NAME_MAX_LENGTH)}`)
  if (!qualifiedNameRegexp.test(name)) {
    errors.push(`name part ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')}`)
  }
  return errors
}

/** Which format a kind's `metadata.name` must have (Kubernetes' per-kind `ValidateNameFunc`). */
export type NameRule = 'dns1123-label' | 'dns1123-subdomain' | 'dns1035-label' | 'path-segment'

const ruleChecks: Record<NameRule, (value: string, prefix: boolean) => string[]> = {
  'dns1123-label': (value, prefix) => dns1123Label(prefix ? maskTrailingDash(value) : value),
  'dns1123-subdomain': (value, prefix) => dns1123Subdomain(prefix ? maskTrailingDash(value) : value),
  'dns1035-label': (value, prefix) => dns1035Label(prefix ? maskTrailingDash(value) : value),
  'path-segment': (value, prefix) => (prefix ? pathSegmentPrefix(value) : pathSegmentName(value)),
}

/** Options for {@link validateName}. */
export interface NameOptions {
  /**
   * The value is a `generateName` prefix: random characters will follow, so a trailing `-` is
   * acceptable and an empty value means "not set".
   * @default false
   */
  prefix?: boolean
}

/**
 * Validates metadata.name (or generateName, masking a trailing '-') under a rule; returns FieldErrors at `field`.
 * An empty name is `Required value: name or generateName is required`, as on a create without either.
 */
export function validateName(rule: NameRule, name: string, field: string, options: NameOptions = {}): FieldError[] {
  const prefix = options.prefix ?? false
  if (name === '') return prefix ? [] : [fieldError.required(field, 'name or generateName is required')]
  return ruleChecks[rule](name, prefix).map((message) => fieldError.invalid(field, name, message))
}

/**
 * Kubernetes' `maskTrailingDash`: replaces a trailing `-` so that a generateName prefix passes the
 * name check. Upstream drops the last two characters and appends `a`; we do the same, since that
 * decides which prefixes pass (`a-` becomes `a`, `x.-` becomes `xa`).
 */
export function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name
}

function anchored(format: string): RegExp {
  return new RegExp(`^(?:${format})$`)
}
