import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql'

/** Revisions cross the API as decimal strings: GraphQL's Int is 32-bit. */
export const Revision = new GraphQLScalarType<number, string>({
  name: 'Revision',
  description: 'A revision of the event log, as a decimal string (e.g. "1234").',
  serialize: (value) => String(value),
  parseValue: (value) => parseRevision(value),
  parseLiteral: (ast) => parseRevision(ast.kind === Kind.STRING || ast.kind === Kind.INT ? ast.value : undefined),
})

export function parseRevision(value: unknown): number {
  const text = typeof value === 'number' ? String(value) : value
  if (typeof text !== 'string' || !/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new GraphQLError(`Revision must be a non-negative integer as a decimal string, got ${JSON.stringify(value)}`, {
      extensions: { code: 'BAD_REQUEST' },
    })
  }
  return Number(text)
}

/** Any JSON value: Kubernetes objects, patches, diffs. */
export const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value.',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => literal(ast, variables),
})

function literal(ast: ValueNode, variables: Record<string, unknown> | null | undefined): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value)
    case Kind.NULL:
      return null
    case Kind.LIST:
      return ast.values.map((v) => literal(v, variables))
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literal(f.value, variables)]))
    case Kind.VARIABLE:
      return variables?.[ast.name.value]
    default:
      return undefined
  }
}

/** Instants as RFC 3339 strings. */
export const DateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant, as an RFC 3339 string (e.g. "2026-11-26T14:02:00Z").',
  serialize: (value) => (value instanceof Date ? value : new Date(String(value))).toISOString(),
  parseValue: (value) => parseDateTime(value),
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
})

function parseDateTime(value: unknown): Date {
  const date = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? new Date(value) : undefined
  if (!date || Number.isNaN(date.getTime())) {
    throw new GraphQLError(`DateTime must be an RFC 3339 timestamp such as "2026-11-26T14:02:00Z", got ${JSON.stringify(value)}`, {
      extensions: { code: 'BAD_REQUEST' },
    })
  }
  return date
}
