import type { IncomingMessage, ServerResponse } from 'node:http'
import type { RequestContext } from '../api/context.js'
import type { Headers } from '../auth/security.js'
import { StatusError } from '../errors.js'

/** Answers in the REST API's terms, and the request's headers as the auth layer reads them. */

export function methodNotAllowed(req: IncomingMessage): StatusError {
  return new StatusError('MethodNotAllowed', `the server does not allow this method on the requested resource (${req.method})`)
}

export function headersOf(req: IncomingMessage): Headers {
  return {
    get: (name) => {
      const value = req.headers[name.toLowerCase()]
      return Array.isArray(value) ? value.join(', ') : (value ?? null)
    },
    keys: () => Object.keys(req.headers),
  }
}

export function hostOf(req: IncomingMessage): string {
  return req.headers.host ?? `${req.socket.localAddress}:${req.socket.localPort}`
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, body, 'application/json')
}

/** Sends a JSON answer, with the request's warnings as Kubernetes' `Warning: 299 - "…"` headers. */
export function send(res: ServerResponse, status: number, body: unknown, contentType: string, ctx?: RequestContext): void {
  const warnings = ctx?.warnings ?? []
  if (warnings.length > 0)
    res.setHeader(
      'warning',
      warnings.map((w) => `299 - ${JSON.stringify(w)}`),
    )
  res.writeHead(status, { 'content-type': contentType })
  res.end(JSON.stringify(body))
}
