import { errors, type StatusError } from '../../errors.js'

/** Limits on what `decodeManifests` accepts, so that a hostile manifest fails fast and cheaply. */
export interface DecodeOptions {
  /** Largest input accepted, in bytes. @default 3 * 1024 * 1024 (Kubernetes' request body limit) */
  maxBytes?: number
  /**
   * Deepest nesting of objects/arrays accepted. The YAML composer recurses per level, so above several
   * hundred Node's default stack gives out first (reported as invalid YAML). @default 100
   */
  maxDepth?: number
  /** Most documents accepted. @default 1000 */
  maxDocuments?: number
  /**
   * Most alias expansions (`*name`, also in `<<` merges) per YAML document, counting those inside other
   * expansions, so that nested alias bombs ("billion laughs") fail after a few levels. @default 100
   */
  maxAliasCount?: number
}

/** The options with every default filled in. */
export type Limits = Required<DecodeOptions>

export function limitsFrom(options: DecodeOptions): Limits {
  return {
    maxBytes: options.maxBytes ?? 3 * 1024 * 1024,
    maxDepth: options.maxDepth ?? 100,
    maxDocuments: options.maxDocuments ?? 1000,
    maxAliasCount: options.maxAliasCount ?? 100,
  }
}

export const tooDeep = (limits: Limits): string => `nested deeper than ${limits.maxDepth} levels`
export const tooManyDocuments = (limits: Limits): StatusError => errors.badRequest(`more than ${limits.maxDocuments} documents`)
export const bigInteger = (literal: string): string =>
  `integer ${literal} is beyond ±9007199254740991 (2^53−1) and cannot be kept exactly; quote it to keep it as a string`
