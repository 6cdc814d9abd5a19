import { errors } from '../../errors.js'
import { bigInteger, tooDeep, tooManyDocuments, type Limits } from './limits.js'
import type { RawDocument } from './raw-document.js'
import { lineColumn, problemAt } from './source-position.js'

/**
 * A JSON manifest: an object, or an array whose elements are the documents. JSON.parse does the
 * parsing; a token scan then rejects what it lets through.
 */
export function parseJson(text: string, limits: Limits): RawDocument[] {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    const offset = /at position (\d+)/.exec(message)?.[1]
    throw errors.badRequest(`invalid JSON${offset ? ` at ${lineColumn(text, Number(offset))}` : ''}: ${message}`)
  }
  scanJson(text, limits)
  if (!Array.isArray(value)) return [{ value, index: 0 }]
  if (value.length > limits.maxDocuments) throw tooManyDocuments(limits)
  return value.map((element: unknown, index) => ({ value: element, index }))
}

const jsonToken = /"(?:[^"\\]|\\.)*"|[{}[\]:,]|[^"{}[\]:,\s]+/g

/** Rejects what JSON.parse lets through: duplicate keys, too deep nesting, integers it would round. */
function scanJson(text: string, limits: Limits): void {
  const open: Array<Set<string> | undefined> = [] // the keys of each open object; undefined for arrays
  let key = { name: '', offset: 0 } // the last string, which is the key when a ':' follows
  let element = 0 // of a top-level array
  const problem = (offset: number, message: string) => problemAt(`document ${element + 1}`, text, offset, message)
  for (const { 0: token, index: offset } of text.matchAll(jsonToken)) {
    if (token === '{' || token === '[') {
      if (open.length >= limits.maxDepth) throw problem(offset, tooDeep(limits))
      open.push(token === '{' ? new Set() : undefined)
    } else if (token === '}' || token === ']') open.pop()
    else if (token === ',' && open.length === 1 && open[0] === undefined) element++
    else if (token === ':') {
      if (open.at(-1)?.has(key.name)) throw problem(key.offset, `duplicate key ${JSON.stringify(key.name)}`)
      open.at(-1)?.add(key.name)
    } else if (token.startsWith('"')) key = { name: JSON.parse(token) as string, offset }
    else if (/^-?\d+$/.test(token) && !Number.isSafeInteger(Number(token))) throw problem(offset, bigInteger(token))
  }
}
