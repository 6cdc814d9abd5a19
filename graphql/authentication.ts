import type { IncomingMessage } from 'node:http'
import type { Plugin } from 'graphql-yoga'
import type { Rejection } from '../services/audit/rejections.js'
import { type Security, WWW_AUTHENTICATE } from '../services/auth/security.js'
import { StatusError } from '../services/errors.js'
import { certificateOf } from '../services/auth/certificates.js'

export { WWW_AUTHENTICATE }

/**
 * Authentication of GraphQL over HTTP and SSE before anything else is done with the request: a
 * request without a valid token is answered 401 UNAUTHENTICATED (403 FORBIDDEN for an impersonation
 * the caller may not do, 400 for a malformed one) from its headers alone. Its body is never read,
 * parsed, validated or cached, so it costs next to nothing, and it learns nothing about the schema.
 * GraphiQL's page is served before this (yoga renders it first) and is open; every operation it
 * sends needs the token. graphql-ws is authenticated when its connection opens (graphql/server.ts).
 */
export function useAuthenticationFirst(security: Security, reject: (rejection: Rejection) => void): Plugin {
  return {
    onRequest({ request, serverContext, endResponse, fetchAPI }) {
      const req = (serverContext as { req?: IncomingMessage } | undefined)?.req
      try {
        security.identify(request.headers, undefined, certificateOf(req))
      } catch (error) {
        const refused = refusal(error)
        reject({
          status: refused.status,
          reason: refused.reason,
          message: refused.message,
          operation: `${request.method} ${new URL(request.url).pathname}`,
          requestId: request.headers.get('x-request-id') ?? undefined,
          sourceAddress: req?.socket?.remoteAddress,
          userAgent: request.headers.get('user-agent') ?? undefined,
        })
        const extensions = { code: refused.code, reason: refused.reason, status: refused.status }
        const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' }
        if (refused.status === 401) headers['www-authenticate'] = WWW_AUTHENTICATE
        endResponse(
          new fetchAPI.Response(JSON.stringify({ errors: [{ message: refused.message, extensions }] }), {
            status: refused.status,
            headers,
          }),
        )
      }
    },
  }
}

/** An authentication failure as the client is told it: Unauthorized 401, Forbidden 403 (impersonation), BadRequest 400. */
function refusal(error: unknown): { status: number; code: string; reason: string; message: string } {
  if (!(error instanceof StatusError)) throw error
  const code = error.code === 401 ? 'UNAUTHENTICATED' : error.code === 403 ? 'FORBIDDEN' : 'BAD_REQUEST'
  return { status: error.code, code, reason: error.reason, message: error.message }
}
