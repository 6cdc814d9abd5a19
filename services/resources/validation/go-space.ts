/**
 * Whitespace as Go's `unicode.IsSpace` sees it (what `strings.TrimSpace` removes): JavaScript's `\s`
 * without the byte-order mark U+FEFF, plus NEL U+0085.
 */
const goSpace = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]'
const surrounding = new RegExp(`^${goSpace}+|${goSpace}+$`, 'gu')

/** `text` without leading and trailing whitespace, as Go's `strings.TrimSpace` returns it. */
export function trimGoSpace(text: string): string {
  return text.replace(surrounding, '')
}
