import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isListType,
  Kind,
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type SelectionSetNode,
  type ValidationContext,
  isCompositeType,
  isObjectType,
  isInterfaceType,
  type GraphQLCompositeType,
  type DocumentNode,
  visit,
} from 'graphql'
import { DEFAULT_PAGE } from './objects.graphql.js'

/** Limits against abusive queries, each with a clear error. */
export const limits = {
  /** Deepest selection nesting. */
  depth: 12,
  /** Estimated cost: fields, multiplied by page sizes (first) for lists. */
  cost: 2_000_000,
  /** Multiplier for lists without a `first` argument (relations such as Node.pods). */
  listMultiplier: 100,
  /** Largest request body, bytes: room for a 3 MiB manifest. */
  bodyBytes: 4 * 1024 * 1024,
  /** Subscriptions one WebSocket connection may hold at once. */
  subscriptionsPerConnection: 100,
}

const limitError = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', reason: 'BadRequest', status: 400 } })

/** A validation rule rejecting operations nested deeper than `limits.depth`. */
export function depthLimit(context: ValidationContext): ASTVisitor {
  const fragments = new Map<string, FragmentDefinitionNode>()
  for (const d of context.getDocument().definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d)
  const depthOf = (set: SelectionSetNode | undefined, seen: Set<string>): number => {
    if (!set) return 0
    let max = 0
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) max = Math.max(max, s.selectionSet ? 1 + depthOf(s.selectionSet, seen) : 1)
      else if (s.kind === Kind.INLINE_FRAGMENT) max = Math.max(max, depthOf(s.selectionSet, seen))
      else if (!seen.has(s.name.value)) max = Math.max(max, depthOf(fragments.get(s.name.value)?.selectionSet, new Set([...seen, s.name.value])))
    }
    return max
  }
  return {
    OperationDefinition(node) {
      const depth = depthOf(node.selectionSet, new Set())
      if (depth > limits.depth) context.reportError(limitError(`query depth ${depth} exceeds the limit of ${limits.depth}`))
    },
  }
}

/** A validation rule rejecting operations whose estimated cost exceeds `limits.cost`. */
export function costLimit(context: ValidationContext): ASTVisitor {
  const schema = context.getSchema()
  const fragments = new Map<string, FragmentDefinitionNode>()
  for (const d of context.getDocument().definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d)
  const fieldOf = (parent: GraphQLCompositeType, node: FieldNode): GraphQLField<unknown, unknown> | undefined =>
    isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[node.name.value] : undefined
  const costOf = (parent: GraphQLCompositeType, set: SelectionSetNode | undefined, seen: Set<string>): number => {
    if (!set) return 0
    let total = 0
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) {
        const field = fieldOf(parent, s)
        if (!field) continue
        const type = getNullableType(field.type)
        const named = getNamedType(field.type)
        const child = isCompositeType(named) ? costOf(named, s.selectionSet, seen) : 0
        const first = s.arguments?.find((a) => a.name.value === 'first')?.value
        const connection = named.name.endsWith('Connection')
        // A connection counts its page size once; its edges list is that page, not another multiplier.
        const multiplier = connection
          ? first?.kind === Kind.INT ? Number(first.value) : DEFAULT_PAGE
          : isListType(type) && !(s.name.value === 'edges' && parent.name.endsWith('Connection')) ? limits.listMultiplier : 1
        total += 1 + multiplier * child
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
  return {
    OperationDefinition(node) {
      const root = node.operation === 'query' ? schema.getQueryType() : node.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType()
      if (!root) return
      const cost = costOf(root, node.selectionSet, new Set())
      if (cost > limits.cost) context.reportError(limitError(`query cost ${cost} exceeds the limit of ${limits.cost}: ask for fewer items per page (first) or fewer nested lists`))
    },
  }
}

/** PostgreSQL stores no NUL character in text or jsonb: a string holding one is refused up front, not failed on in SQL. */
export function nulCharacterIn(document: DocumentNode, variables: unknown): GraphQLError | undefined {
  let found = hasNul(variables)
  if (!found) {
    visit(document, {
      StringValue(node) {
        if (node.value.includes('\u0000')) found = true
      },
    })
  }
  return found ? limitError('strings may not contain the NUL character (\\u0000): it cannot be stored') : undefined
}

function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000')
  if (Array.isArray(value)) return value.some(hasNul)
  if (value && typeof value === 'object') return Object.entries(value).some(([k, v]) => k.includes('\u0000') || hasNul(v))
  return false
}
