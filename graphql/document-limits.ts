import { GraphQLError, Lexer, parse, Source, TokenKind, type DocumentNode } from 'graphql'
import type { Plugin } from 'graphql-yoga'
import { limitError } from './limits.js'

/**
 * Deepest nesting of braces, brackets and parentheses a document may have. graphql-js parses and
 * validates by recursion and runs out of stack near 2,000 levels; no operation of this schema,
 * introspection included, needs more than a few dozen.
 */
export const MAX_DOCUMENT_NESTING = 128

const OPENING = new Set<string>([TokenKind.BRACE_L, TokenKind.BRACKET_L, TokenKind.PAREN_L])
const CLOSING = new Set<string>([TokenKind.BRACE_R, TokenKind.BRACKET_R, TokenKind.PAREN_R])

/**
 * Why a document is out of bounds — more than `maxTokens` tokens, or nested more than
 * `MAX_DOCUMENT_NESTING` levels — or undefined. It is lexed (the lexer is a loop, not a
 * recursion) up to the first token past a bound; a syntax error is left for the parser to report.
 */
export function documentBoundsError(source: string | Source, maxTokens: number): GraphQLError | undefined {
  const lexer = new Lexer(typeof source === 'string' ? new Source(source) : source)
  let tokens = 0
  let depth = 0
  try {
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      if (++tokens > maxTokens) {
        return limitError(
          `the document has more than ${maxTokens} tokens, the limit: send a smaller document and pass large values as variables`,
        )
      }
      if (OPENING.has(token.kind) && ++depth > MAX_DOCUMENT_NESTING) {
        return limitError(`the document is nested more than ${MAX_DOCUMENT_NESTING} levels deep, the limit`)
      }
      if (CLOSING.has(token.kind)) depth--
    }
  } catch (error) {
    if (error instanceof GraphQLError) return undefined
    throw error
  }
  return undefined
}

/** graphql-js `parse` within bounds (documentBoundsError), so a document nested 100,000 deep never reaches the recursive parser. */
export function boundedParse(source: string | Source, maxTokens: number): DocumentNode {
  const refused = documentBoundsError(source, maxTokens)
  if (refused) throw refused
  return parse(source, { maxTokens })
}

/**
 * Every document parsed within bounds, on HTTP and WebSocket alike, and a stack overflow while
 * validating (a chain of thousands of fragments) a client's 400, not a 500. Over HTTP the bounds
 * are checked as soon as the request's parameters are read, so the answer is HTTP 400 whatever
 * the client accepts (yoga answers a syntax error 200 to `application/json` clients).
 */
export function useDocumentLimits(maxTokens: number): Plugin {
  return {
    onParams({ params, setResult }) {
      const refused = typeof params.query === 'string' ? documentBoundsError(params.query, maxTokens) : undefined
      if (refused) setResult({ errors: [refused] })
    },
    onParse({ setParseFn }) {
      setParseFn((source) => boundedParse(source, maxTokens))
    },
    onValidate({ validateFn, setValidationFn }) {
      setValidationFn((...args) => {
        try {
          return validateFn(...args)
        } catch (error) {
          if (error instanceof RangeError) return [limitError('the document is nested too deeply to validate')]
          throw error
        }
      })
    },
  }
}

/**
 * A cache of parsed documents (or parse errors) by their text, for yoga's parser cache, bounded by
 * the text it holds: documents longer than `maxEntryChars` are not kept, and the least recently
 * used go once `maxChars` are held, so clients sending large unique documents cannot fill memory.
 */
export class BoundedDocumentCache<T> {
  private readonly entries = new Map<string, T>()
  private chars = 0

  constructor(
    private readonly maxChars = 1024 * 1024,
    private readonly maxEntryChars = 64 * 1024,
  ) {}

  get(key: string): T | undefined {
    const value = this.entries.get(key)
    if (value !== undefined) {
      this.entries.delete(key)
      this.entries.set(key, value)
    }
    return value
  }

  set(key: string, value: T): void {
    if (key.length > this.maxEntryChars || this.entries.has(key)) return
    this.entries.set(key, value)
    this.chars += key.length
    for (const oldest of this.entries.keys()) {
      if (this.chars <= this.maxChars) break
      this.entries.delete(oldest)
      this.chars -= oldest.length
    }
  }
}
