/**
 * Container image references as Kubernetes' `ParseImageName` reads them (kubernetes
 * `pkg/util/parsers`, on top of distribution's `reference.ParseNormalizedNamed`): enough to tell
 * which tag an image names, which decides its default `imagePullPolicy`.
 */

const alphanumeric = '[a-z0-9]+'
const separator = '(?:[._]|__|[-]+)'
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const host = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[[a-fA-F0-9:]+\\])`
const name = `(?:${host}(?::[0-9]+)?/)?${pathComponent}(?:/${pathComponent})*`
const tag = '[\\w][\\w.-]{0,127}'
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}'
const reference = new RegExp(`^(${name})(?::(${tag}))?(?:@(${digest}))?$`)
const identifier = /^[a-f0-9]{64}$/
const digestHexLength: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 }
const NAME_MAX_LENGTH = 255

/** The tag and digest an image reference names, or `undefined` when it does not parse. */
export function parseImageReference(image: string): { tag?: string; digest?: string } | undefined {
  if (identifier.test(image)) return undefined
  const slash = image.indexOf('/')
  const first = slash === -1 ? '' : image.slice(0, slash)
  const hasDomain = slash !== -1 && (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first)
  const remainder = hasDomain ? image.slice(slash + 1) : image
  const repository = remainder.includes(':') ? remainder.slice(0, remainder.indexOf(':')) : remainder
  if (repository.toLowerCase() !== repository) return undefined
  const match = reference.exec(image)
  if (!match || match[1]!.length > NAME_MAX_LENGTH) return undefined
  const [, , tagged, digested] = match
  if (digested !== undefined) {
    const [algorithm, hex] = digested.split(':') as [string, string]
    if (digestHexLength[algorithm] !== hex.length) return undefined
  }
  return { ...(tagged !== undefined && { tag: tagged }), ...(digested !== undefined && { digest: digested }) }
}

/**
 * Kubernetes' default pull policy for an image: `Always` for `:latest` or no tag (and no digest),
 * `IfNotPresent` for anything else, including references that do not parse.
 */
export function defaultPullPolicy(image: unknown): 'Always' | 'IfNotPresent' {
  const parsed = typeof image === 'string' ? parseImageReference(image) : undefined
  if (!parsed) return 'IfNotPresent'
  const tagOrLatest = parsed.tag ?? (parsed.digest === undefined ? 'latest' : '')
  return tagOrLatest === 'latest' ? 'Always' : 'IfNotPresent'
}
