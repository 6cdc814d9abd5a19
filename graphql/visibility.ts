import { isSensitiveKind, redact } from '../services/secrets/redact.js'
import type { JsonObject } from '../services/resources/json.js'
import type { LogEvent } from '../services/store/commands.js'
import type { GraphQLContext } from './context.js'

/**
 * What the time-travel reads (history, changes, log, causes, effects) show a caller: an object's
 * past is visible to whoever may get or list it now; the values of sensitive kinds (Secrets) only
 * to whoever may get that object, redacted for the rest (services/secrets/redact.ts).
 */
export function visible(ctx: GraphQLContext, kind: string, namespace: string, name: string): boolean {
  return ctx.can('list', kind, namespace) || ctx.can('get', kind, namespace, name)
}

/** The object as this caller may see it: sensitive values replaced by "<redacted>", keys kept. */
export function shown(ctx: GraphQLContext, kind: string, namespace: string, name: string, object: JsonObject): JsonObject {
  if (!isSensitiveKind(kind) || ctx.can('get', kind, namespace, name)) return object
  return redact(object, kind)
}

/** The events this caller may see, their objects redacted where they must be. */
export function visibleEvents(ctx: GraphQLContext, events: LogEvent[]): LogEvent[] {
  return events.flatMap((e) => (visible(ctx, e.kind, e.namespace, e.name) ? [{ ...e, object: shown(ctx, e.kind, e.namespace, e.name, e.object) }] : []))
}
