/**
 * Errors with Kubernetes' reasons, codes and messages (apimachinery `pkg/api/errors/errors.go`).
 * The core throws these; one place per edge (GraphQL, HTTP, CLI) maps them for its clients.
 */

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout'

const codes: Record<StatusReason, number> = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  AlreadyExists: 409,
  Conflict: 409,
  Gone: 410,
  Expired: 410,
  RequestEntityTooLarge: 413,
  UnsupportedMediaType: 415,
  Invalid: 422,
  TooManyRequests: 429,
  InternalError: 500,
  ServiceUnavailable: 503,
  Timeout: 504,
}

export interface StatusCause {
  reason: string
  message: string
  field?: string
}

export interface StatusDetails {
  name?: string
  group?: string
  kind?: string
  causes?: StatusCause[]
  retryAfterSeconds?: number
}

/**
 * The longest message, and cause message, a StatusError carries. Messages quote values a client
 * sent or an object holds, which may be megabytes; the code that quotes one should cut it (see
 * {@link truncate}), and this is the bound when it does not.
 */
export const MAX_MESSAGE_CHARS = 4096

/** `text` itself, or its first `max` characters followed by `...(truncated)`. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text
  // Never cut a surrogate pair in two.
  const end = /[\uD800-\uDBFF]/.test(text.charAt(max - 1)) ? max - 1 : max
  return `${text.slice(0, end)}...(truncated)`
}

/** A failure a client can act on, shaped like Kubernetes' `Status`. */
export class StatusError extends Error {
  readonly reason: StatusReason
  readonly code: number
  readonly details: StatusDetails

  constructor(reason: StatusReason, message: string, details: StatusDetails = {}) {
    super(truncate(message, MAX_MESSAGE_CHARS))
    this.name = 'StatusError'
    this.reason = reason
    this.code = codes[reason]
    const causes = details.causes?.map((cause) => ({ ...cause, message: truncate(cause.message, MAX_MESSAGE_CHARS) }))
    this.details = causes ? { ...details, causes } : details
  }

  /** The Kubernetes `Status` object for this error. */
  toStatus() {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      details: this.details,
      code: this.code,
    }
  }
}

export function isStatusError(error: unknown, reason?: StatusReason): error is StatusError {
  return error instanceof StatusError && (reason === undefined || error.reason === reason)
}

/**
 * A resource as Kubernetes names it in messages: `pods`, `deployments.apps`.
 * Until the kind registry exists callers may pass the kind and apiVersion, and the
 * name is derived the way Kubernetes' default REST mapper pluralises kinds.
 */
export function qualifiedResource(kind: string, apiVersion = 'v1'): { resource: string; group: string } {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : ''
  return { resource: pluralise(kind.toLowerCase()), group }
}

function pluralise(singular: string): string {
  if (singular.endsWith('endpoints')) return singular
  if (/(s|x|z|ch|sh)$/.test(singular)) return `${singular}es`
  if (/[^aeiou]y$/.test(singular)) return `${singular.slice(0, -1)}ies`
  return `${singular}s`
}

function display(resource: { resource: string; group: string }): string {
  return resource.group ? `${resource.resource}.${resource.group}` : resource.resource
}

export const errors = {
  notFound(resource: { resource: string; group: string }, name: string) {
    return new StatusError('NotFound', `${display(resource)} "${name}" not found`, {
      name,
      group: resource.group,
      kind: resource.resource,
    })
  },
  alreadyExists(resource: { resource: string; group: string }, name: string) {
    return new StatusError('AlreadyExists', `${display(resource)} "${name}" already exists`, {
      name,
      group: resource.group,
      kind: resource.resource,
    })
  },
  conflict(resource: { resource: string; group: string }, name: string, why: string) {
    return new StatusError('Conflict', `Operation cannot be fulfilled on ${display(resource)} "${name}": ${why}`, {
      name,
      group: resource.group,
      kind: resource.resource,
    })
  },
  badRequest(message: string) {
    return new StatusError('BadRequest', message)
  },
  gone(message: string) {
    return new StatusError('Expired', message)
  },
  tooLarge(message: string) {
    return new StatusError('RequestEntityTooLarge', message)
  },
}

/** Kubernetes' optimistic-lock message for a stale resourceVersion. */
export const OPTIMISTIC_LOCK_MESSAGE = 'the object has been modified; please apply your changes to the latest version and try again'
