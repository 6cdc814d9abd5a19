/**
 * Base64 as Go's `encoding/json` decodes `[]byte` fields (Secret `data`, ConfigMap `binaryData`):
 * standard alphabet, padding required, CR and LF ignored.
 */

const ALPHABET = /[A-Za-z0-9+/]/

/**
 * Where Go's decoder gives up (`illegal base64 data at input byte <n>`), or `undefined` when the
 * text decodes.
 */
export function base64ErrorOffset(text: string): number | undefined {
  let si = 0
  const skipNewlines = () => {
    while (si < text.length && (text[si] === '\n' || text[si] === '\r')) si++
  }
  for (;;) {
    for (let j = 0; j < 4; j++) {
      if (si === text.length) return j === 0 ? undefined : si - j
      const c = text[si++]!
      if (ALPHABET.test(c)) continue
      if (c === '\n' || c === '\r') {
        j--
        continue
      }
      if (c !== '=' || j < 2) return si - 1
      if (j === 2) {
        skipNewlines()
        if (si === text.length) return text.length
        if (text[si] !== '=') return si - 1
        si++
      }
      skipNewlines()
      return si < text.length ? si : undefined
    }
  }
}

/** The number of bytes the text decodes to (counting what decodes, for size limits). */
export function decodedLength(text: string): number {
  const clean = text.replace(/[\r\n]/g, '')
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0
  return Math.max(0, Math.floor((clean.length * 3) / 4) - padding)
}
