import {
  getNamedType,
  getNullableType,
  getOperationAST,
  GraphQLError,
  isListType,
  Kind,
  valueFromASTUntyped,
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  isCompositeType,
  isObjectType,
  isInterfaceType,
  type GraphQLCompositeType,
  type DocumentNode,
  type ValueNode,
  visit,
} from 'graphql'
import { DEFAULT_PAGE, MAX_PAGE } from './objects.graphql.js'

/**
 * The bounds of the GraphQL layer that are not settings (those are in services/limits.ts): each
 * follows from the schema or from what a standard client sends.
 */
export const fixedLimits = {
  /** Multiplier for lists without a `first` argument (relations such as Node.pods). */
  listMultiplier: 100,
  /** Subscriptions one WebSocket connection may hold at once. */
  subscriptionsPerConnection: 100,
  /** Rows a chain read (`history` of one object, `causes` of one event) is estimated to cost. */
  chainRows: 1_000,
  /**
   * Deepest selection inside `__schema` and `__type`, counted from them: the standard
   * introspection query (graphql-js `getIntrospectionQuery`, every option on) needs 15; the rest
   * is room for tools that unwrap `ofType` a few levels further.
   */
  introspectionDepth: 20,
}

/**
 * A refusal for going past a limit: HTTP 400 whatever the client accepts (`spec: false`: yoga
 * would answer a GraphQL validation error 200 to `application/json` clients).
 */
export const limitError = (message: string) =>
  new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', reason: 'BadRequest', status: 400, http: { status: 400, spec: false } } })

const INTROSPECTION_ROOTS = new Set(['__schema', '__type'])

/**
 * A validation rule refusing operations nested deeper than `maxDepth`. Introspection is counted
 * apart: a `__schema` or `__type` subtree may go `fixedLimits.introspectionDepth` deep, so
 * GraphiQL's Docs panel and code generators get the schema.
 */
export function depthLimit(maxDepth: number): ValidationRule {
  return function queryDepthLimit(context: ValidationContext): ASTVisitor {
    const fragments = fragmentsOf(context.getDocument())
    const depthOf = (set: SelectionSetNode | undefined, seen: Set<string>): number => {
      if (!set) return 0
      let max = 0
      for (const s of set.selections) {
        if (s.kind === Kind.FIELD) max = Math.max(max, s.selectionSet ? 1 + depthOf(s.selectionSet, seen) : 1)
        else if (s.kind === Kind.INLINE_FRAGMENT) max = Math.max(max, depthOf(s.selectionSet, seen))
        else if (!seen.has(s.name.value))
          max = Math.max(max, depthOf(fragments.get(s.name.value)?.selectionSet, new Set([...seen, s.name.value])))
      }
      return max
    }
    return {
      OperationDefinition(node) {
        let depth = 0
        let introspection = 0
        for (const field of rootFields(node.selectionSet, fragments)) {
          const d = field.selectionSet ? 1 + depthOf(field.selectionSet, new Set()) : 1
          if (INTROSPECTION_ROOTS.has(field.name.value)) introspection = Math.max(introspection, d)
          else depth = Math.max(depth, d)
        }
        if (depth > maxDepth) context.reportError(limitError(`query depth ${depth} exceeds the limit of ${maxDepth}`))
        if (introspection > fixedLimits.introspectionDepth) {
          context.reportError(limitError(`introspection depth ${introspection} exceeds the limit of ${fixedLimits.introspectionDepth}`))
        }
      },
    }
  }
}

/** The fields an operation selects at its root, through fragments. */
function rootFields(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen = new Set<string>()): FieldNode[] {
  const out: FieldNode[] = []
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) out.push(s)
    else if (s.kind === Kind.INLINE_FRAGMENT) out.push(...rootFields(s.selectionSet, fragments, seen))
    else if (!seen.has(s.name.value)) {
      seen.add(s.name.value)
      const fragment = fragments.get(s.name.value)
      if (fragment) out.push(...rootFields(fragment.selectionSet, fragments, seen))
    }
  }
  return out
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>()
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d)
  return fragments
}

/**
 * Refuses an operation whose estimated cost exceeds `queryCost`, or whose `changes` between the
 * revisions it names add up to more than `scanRows` rows. It runs where the variables are known
 * (before execution), so `first: $n` counts as the number it is.
 */
export function costError(operation: Operation, limits: CostLimits): GraphQLError | undefined {
  const { cost, rangeRows } = estimate(operation, limits.scanRows)
  if (rangeRows > limits.scanRows) {
    const limit = `more than the limit of ${limits.scanRows} one request may read`
    return limitError(`the ranges of changes asked for hold ${rangeRows} revisions, ${limit}: ask for narrower ranges`)
  }
  if (cost <= limits.queryCost) return undefined
  const advice = 'ask for fewer items per page (first), a narrower range of revisions, or fewer nested lists'
  return limitError(`query cost ${cost} exceeds the limit of ${limits.queryCost}: ${advice}`)
}

/** An operation as it is about to run. */
export interface Operation {
  schema: GraphQLSchema
  document: DocumentNode
  operationName?: string | null | undefined
  variableValues?: unknown
}

export interface CostLimits {
  /** Largest estimated cost. */
  queryCost: number
  /** Most rows one request may read: what a range read (changes, effects) may cost. */
  scanRows: number
}

export interface Estimate {
  /**
   * Every field counts 1, and a list multiplies what it selects by how many items it may hold: a
   * page (`first`, literal or variable; its default otherwise), the rows of a range read
   * (`changes` between two given revisions: their distance, else `scanRows`; `effects`:
   * `scanRows`), a chain (`history`, `causes`: `fixedLimits.chainRows`), the schema's own sizes
   * inside introspection, or `fixedLimits.listMultiplier`.
   */
  cost: number
  /** The revisions between the two ends of every `changes` whose ends are both given revisions. */
  rangeRows: number
}

/** What an operation may cost, estimated from its document and variables alone. */
export function estimate({ schema, document, operationName, variableValues }: Operation, scanRows: number): Estimate {
  const operation = getOperationAST(document, operationName)
  if (!operation) return { cost: 0, rangeRows: 0 }
  let rangeRows = 0
  const fragments = fragmentsOf(document)
  const values: Record<string, unknown> = {}
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) values[definition.variable.name.value] = valueFromASTUntyped(definition.defaultValue)
  }
  if (variableValues && typeof variableValues === 'object') Object.assign(values, variableValues)
  const argument = (node: FieldNode, name: string): unknown => {
    const value: ValueNode | undefined = node.arguments?.find((a) => a.name.value === name)?.value
    return value ? valueFromASTUntyped(value, values) : undefined
  }
  const introspectionSizes = introspectionSizesOf(schema)

  const multiplierOf = (parent: GraphQLCompositeType, node: FieldNode, field: GraphQLField<unknown, unknown>): number => {
    const named = getNamedType(field.type)
    // A connection counts its page once; its edges list is that page, not another multiplier.
    if (named.name.endsWith('Connection')) return Math.min(pageOf(argument(node, 'first')), MAX_PAGE)
    if (!isListType(getNullableType(field.type))) return 1
    if (node.name.value === 'edges' && parent.name.endsWith('Connection')) return 1
    const coordinate = `${parent.name}.${node.name.value}`
    if (coordinate === 'Query.changes') {
      const rows = revisionsBetween(argument(node, 'from'), argument(node, 'to'))
      if (rows === undefined) return scanRows
      rangeRows += rows
      return Math.min(rows, scanRows)
    }
    if (coordinate === 'Query.effects') return scanRows
    if (coordinate === 'Query.history' || coordinate === 'Query.causes') return fixedLimits.chainRows
    return introspectionSizes.get(coordinate) ?? fixedLimits.listMultiplier
  }
  const fieldOf = (parent: GraphQLCompositeType, node: FieldNode): GraphQLField<unknown, unknown> | undefined => {
    if (node.name.value === '__schema') return schema.getQueryType() === parent ? introspectionField(schema, '__schema') : undefined
    if (node.name.value === '__type') return schema.getQueryType() === parent ? introspectionField(schema, '__type') : undefined
    return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[node.name.value] : undefined
  }
  const costOf = (parent: GraphQLCompositeType, set: SelectionSetNode | undefined, seen: Set<string>): number => {
    if (!set) return 0
    let total = 0
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) {
        const field = fieldOf(parent, s)
        if (!field) continue
        const named = getNamedType(field.type)
        const child = isCompositeType(named) ? costOf(named, s.selectionSet, seen) : 0
        total += 1 + multiplierOf(parent, s, field) * child
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        const on = s.typeCondition ? schema.getType(s.typeCondition.name.value) : parent
        total += on && isCompositeType(on) ? costOf(on, s.selectionSet, seen) : 0
      } else if (!seen.has(s.name.value)) {
        const fragment = fragments.get(s.name.value)
        const on = fragment && schema.getType(fragment.typeCondition.name.value)
        total += on && isCompositeType(on) ? costOf(on, fragment.selectionSet, new Set([...seen, s.name.value])) : 0
      }
    }
    return total
  }
  const roots = { query: schema.getQueryType(), mutation: schema.getMutationType(), subscription: schema.getSubscriptionType() }
  const root = roots[operation.operation]
  const cost = root ? costOf(root, operation.selectionSet, new Set()) : 0
  return { cost, rangeRows }
}

function pageOf(first: unknown): number {
  return typeof first === 'number' && Number.isInteger(first) && first >= 0 ? first : DEFAULT_PAGE
}

/** The revisions between two `At`s when both are given as revisions; undefined when either is a time (or missing). */
function revisionsBetween(from: unknown, to: unknown): number | undefined {
  const revision = (at: unknown): number | undefined => {
    const value = at && typeof at === 'object' ? (at as { revision?: unknown }).revision : undefined
    const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : typeof value === 'number' ? value : NaN
    return Number.isSafeInteger(n) && n >= 0 ? n : undefined
  }
  const a = revision(from)
  const b = revision(to)
  return a === undefined || b === undefined ? undefined : Math.max(b - a, 0)
}

const introspectionFields = new WeakMap<GraphQLSchema, Record<'__schema' | '__type', GraphQLField<unknown, unknown>>>()

/** `__schema` and `__type` as fields of the query type (graphql-js keeps them apart from its fields). */
function introspectionField(schema: GraphQLSchema, name: '__schema' | '__type'): GraphQLField<unknown, unknown> {
  let fields = introspectionFields.get(schema)
  if (!fields) {
    const typeType = schema.getType('__Type')!
    const schemaType = schema.getType('__Schema')!
    const field = (n: string, type: unknown) => ({ name: n, type, args: [] }) as unknown as GraphQLField<unknown, unknown>
    fields = { __schema: field('__schema', schemaType), __type: field('__type', typeType) }
    introspectionFields.set(schema, fields)
  }
  return fields[name]
}

const introspectionSizes = new WeakMap<GraphQLSchema, Map<string, number>>()

/** How long each introspection list of this schema can be: its real sizes, not a guess. */
function introspectionSizesOf(schema: GraphQLSchema): Map<string, number> {
  let sizes = introspectionSizes.get(schema)
  if (sizes) return sizes
  const types = Object.values(schema.getTypeMap())
  const directives = schema.getDirectives()
  const most = (counts: number[]) => Math.max(1, ...counts)
  const fieldsOf = (t: unknown) => (isObjectType(t) || isInterfaceType(t) ? Object.values(t.getFields()) : [])
  const args = most([...types.flatMap((t) => fieldsOf(t).map((f) => f.args.length)), ...directives.map((d) => d.args.length)])
  const members = (t: unknown, key: 'getValues' | 'getFields' | 'getTypes' | 'getInterfaces') => {
    const method = (t as Record<string, unknown>)[key]
    return typeof method === 'function' ? Object.values((method as () => object).call(t)).length : 0
  }
  sizes = new Map([
    ['__Schema.types', types.length],
    ['__Schema.directives', Math.max(1, directives.length)],
    ['__Type.fields', most(types.map((t) => fieldsOf(t).length))],
    ['__Type.inputFields', most(types.map((t) => (isObjectType(t) || isInterfaceType(t) ? 0 : members(t, 'getFields'))))],
    ['__Type.enumValues', most(types.map((t) => members(t, 'getValues')))],
    ['__Type.interfaces', most(types.map((t) => members(t, 'getInterfaces')))],
    ['__Type.possibleTypes', most(types.map((t) => members(t, 'getTypes')))],
    ['__Field.args', args],
    ['__Directive.args', args],
  ])
  introspectionSizes.set(schema, sizes)
  return sizes
}

/** Deepest nesting of variables' values: as deep as a manifest may be (services/resources/manifest/limits.ts). */
export const MAX_VALUE_DEPTH = 100

/**
 * Inputs refused up front rather than failed on later: a string holding the NUL character
 * (PostgreSQL stores none in text or jsonb), or variables nested deeper than `MAX_VALUE_DEPTH`
 * (what handles them recurses). Walked with a stack of its own, so no input overflows this check.
 */
export function inputError(document: DocumentNode, variables: unknown): GraphQLError | undefined {
  const nul = () => limitError('strings may not contain the NUL character (\\u0000): it cannot be stored')
  const stack: Array<[unknown, number]> = [[variables, 0]]
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return nul()
    } else if (value && typeof value === 'object') {
      if (depth > MAX_VALUE_DEPTH) return limitError(`variables may not be nested more than ${MAX_VALUE_DEPTH} levels deep`)
      for (const [key, item] of Object.entries(value)) {
        if (key.includes('\u0000')) return nul()
        stack.push([item, depth + 1])
      }
    }
  }
  let found = false
  visit(document, {
    StringValue(node) {
      if (node.value.includes('\u0000')) found = true
    },
  })
  return found ? nul() : undefined
}
