import { errors, type StatusError } from '../../errors.js'

/** `line L, column C` (both 1-based) of an offset in `text`. */
export function lineColumn(text: string, offset: number): string {
  let line = 1
  let lineStart = 0
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++
    lineStart = i + 1
  }
  return `line ${line}, column ${offset - lineStart + 1}`
}

/** A BadRequest naming the document (`label`), the line and column of `offset`, and the problem. */
export const problemAt = (label: string, text: string, offset: number, problem: string): StatusError =>
  errors.badRequest(`${label}: ${lineColumn(text, offset)}: ${problem}`)
