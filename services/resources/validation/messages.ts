/**
 * The detail texts Kubernetes builds its validation messages from (apimachinery
 * `api/validate/content/errors.go`, `util/validation/validation.go`). Kept in one place so a wording
 * change upstream is a one-line change here.
 */

/**
 * `must be no more than 63 bytes`. Lengths are counted in UTF-8 bytes, as Go's `len` does.
 * (Releases before the `content` package said `characters`; the reference we match says `bytes`.)
 */
export function maxLenError(length: number): string {
  return `must be no more than ${length} bytes`
}

/**
 * Kubernetes' `RegexError`: the message, then examples and the regex. Each example after the first
 * is preceded by `,  or ` – two spaces, a quirk of the upstream string building that clients see.
 */
export function regexError(message: string, format: string, ...examples: string[]): string {
  if (examples.length === 0) return `${message} (regex used for validation is '${format}')`
  const shown = examples.map((example) => `'${example}', `).join(' or ')
  return `${message} (e.g. ${shown}regex used for validation is '${format}')`
}

/** `must be non-empty` */
export function emptyError(): string {
  return 'must be non-empty'
}

/** `must be between 1 and 65535, inclusive` */
export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`
}

/** Kubernetes' `IsNegativeErrorMsg`. */
export const isNegativeErrorMsg = 'must be greater than or equal to 0'
