import { Composer, Lexer, Parser } from 'yaml'
import type { CST } from 'yaml'
import { goYamlScalars } from './go-yaml-scalars.js'
import { tooDeep, tooManyDocuments, type Limits } from './limits.js'
import type { RawDocument } from './raw-document.js'
import { problemAt } from './source-position.js'
import { documentValue } from './yaml-to-json.js'

/**
 * A YAML stream of `---`-separated documents, composed with go-yaml v2's scalar rules and
 * converted to JSON values. Null documents are skipped (their index still counts).
 */
export function parseYaml(text: string, limits: Limits): RawDocument[] {
  const composer = new Composer({
    schema: 'core',
    customTags: goYamlScalars,
    resolveKnownTags: false,
    merge: true,
    uniqueKeys: false, // checked while converting, in linear time
  })
  const documents: RawDocument[] = []
  let index = 0
  for (const doc of composer.compose(guardedTokens(text, limits))) {
    const value = documentValue(doc, text, index, limits)
    if (value !== null) documents.push({ value, index })
    index++
  }
  return documents
}

/** The CST of `text`, refusing too many documents and too deep nesting before the (recursive) composer sees them. */
function* guardedTokens(text: string, limits: Limits): Generator<CST.Token> {
  const parser = new Parser()
  let documents = 0
  let flow = 0
  const check = (token: CST.Token): CST.Token => {
    if (token.type !== 'document') return token
    if (++documents > limits.maxDocuments) throw tooManyDocuments(limits)
    const deep = deeperThan(token.value, limits.maxDepth)
    if (deep !== undefined) throw problemAt(`document ${documents}`, text, deep, tooDeep(limits))
    return token
  }
  for (const lexeme of new Lexer().lex(text)) {
    // Flow nesting shows here already: rejecting it now spares parsing megabytes of `[[[[`.
    if (lexeme === '[' || lexeme === '{') {
      if (++flow > limits.maxDepth) throw problemAt(`document ${documents + 1}`, text, parser.offset, tooDeep(limits))
    } else if (lexeme === ']' || lexeme === '}') flow = Math.max(0, flow - 1)
    for (const token of parser.next(lexeme)) yield check(token)
  }
  for (const token of parser.end()) yield check(token)
}

/** Offset of the first collection nested deeper than `max` in a CST node, walked without recursion. */
function deeperThan(root: CST.Token | undefined, max: number): number | undefined {
  const stack: Array<[CST.Token, number]> = root ? [[root, 1]] : []
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [token, depth] = next
    if (!('items' in token)) continue
    if (depth > max) return token.offset
    for (const { key, value } of token.items) {
      if (key) stack.push([key, depth + 1])
      if (value) stack.push([value, depth + 1])
    }
  }
  return undefined
}
