import { GraphQLError } from 'graphql'
import { StatusError, type StatusReason } from '../services/errors.js'

/** The GraphQL `extensions.code` of each Kubernetes Status reason. */
const codes: Partial<Record<StatusReason, string>> = {
  NotFound: 'NOT_FOUND',
  AlreadyExists: 'ALREADY_EXISTS',
  Conflict: 'CONFLICT',
  Invalid: 'INVALID',
  Forbidden: 'FORBIDDEN',
  Unauthorized: 'UNAUTHENTICATED',
  Gone: 'GONE',
  Expired: 'GONE',
  BadRequest: 'BAD_REQUEST',
  MethodNotAllowed: 'BAD_REQUEST',
  RequestEntityTooLarge: 'BAD_REQUEST',
  TooManyRequests: 'TOO_MANY_REQUESTS',
  ServiceUnavailable: 'UNAVAILABLE',
  Timeout: 'UNAVAILABLE',
}

/**
 * A StatusError as a GraphQL error a client can act on: the message is Kubernetes', and
 * extensions carry the code, the Kubernetes reason and HTTP status, and the field causes.
 * Anything else is left for yoga to mask (and log).
 */
export function toGraphQLError(error: unknown): unknown {
  if (!(error instanceof StatusError)) return error
  const code = codes[error.reason]
  if (!code) return error
  return new GraphQLError(error.message, {
    extensions: {
      code,
      reason: error.reason,
      status: error.code,
      ...(error.details.causes && { causes: error.details.causes }),
      ...(error.details.name !== undefined && { details: error.details }),
      // Busy (503) or too many requests (429): the HTTP answer says so, and when to try again.
      ...(error.details.retryAfterSeconds !== undefined && {
        http: { status: error.code, headers: { 'Retry-After': String(error.details.retryAfterSeconds) } },
      }),
    },
  })
}

/**
 * Yoga's error masking: StatusErrors (and GraphQL errors raised on purpose) reach the client;
 * anything unexpected is replaced by "Unexpected error." and logged by the caller, as every error
 * is logged (services/log.ts `loggableError`): its type, stack frames and message cut short, never
 * the object a request carried.
 */
export function maskError(error: unknown, fallback: (error: unknown) => Error, onUnexpected: (error: unknown) => void): Error {
  const original = error instanceof GraphQLError ? error.originalError : error
  if (original instanceof StatusError) {
    const mapped = toGraphQLError(original)
    if (mapped instanceof GraphQLError) {
      return new GraphQLError(mapped.message, {
        ...(error instanceof GraphQLError && error.nodes && { nodes: error.nodes }),
        ...(error instanceof GraphQLError && error.path && { path: error.path }),
        extensions: mapped.extensions,
      })
    }
  }
  if (error instanceof GraphQLError && (!error.originalError || error.originalError instanceof GraphQLError)) return error
  onUnexpected(original ?? error)
  return fallback(error)
}

export function badRequest(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', reason: 'BadRequest', status: 400 } })
}
