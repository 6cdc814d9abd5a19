import type { IncomingMessage } from 'node:http'
import { errors, StatusError } from '../errors.js'
import { decodeManifests } from '../resources/manifest.js'
import { decodeProtobufBody, isProtobuf } from './protobuf-bodies.js'

/**
 * A request's body as JSON: at most `maxBytes` (413 beyond, before the rest is read), and a clear
 * 400 when it is not JSON. A YAML body (`application/yaml`) is read as one manifest, as kube-apiserver reads it.
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = mediaTypeOf(req)
  // Protobuf, which client-go's typed clients send first, is not read: 415 says to send JSON.
  if (type !== '' && !type.endsWith('json') && !type.endsWith('yaml')) throw unsupportedMediaType()
  return parseBody(type, await readBytes(req, maxBytes), maxBytes)
}

/**
 * A request's body as JSON, protobuf included for the kinds typed clients send that revkube reads
 * (services/rest/protobuf-bodies.ts); other protobuf bodies are 415.
 */
export async function readObjectBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = mediaTypeOf(req)
  if (type !== 'application/vnd.kubernetes.protobuf') return readJsonBody(req, maxBytes)
  const bytes = await readBytes(req, maxBytes)
  const decoded = isProtobuf(bytes) ? decodeProtobufBody(bytes) : undefined
  if (!decoded) throw unsupportedMediaType()
  return decoded
}

/** The request's media type, lower case, without parameters ('' when none). */
export function mediaTypeOf(req: IncomingMessage): string {
  return String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase()
}

export const unsupportedMediaType = () =>
  new StatusError(
    'UnsupportedMediaType',
    'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml',
  )

/** The body's bytes: at most `maxBytes` (413 beyond, before the rest is read). */
export async function readBytes(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > maxBytes) throw errors.tooLarge(`the request body is ${declared} bytes, more than the limit of ${maxBytes}`)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > maxBytes) {
      req.destroy()
      throw errors.tooLarge(`the request body is more than the limit of ${maxBytes} bytes`)
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

/** JSON, or (for a YAML media type) one YAML manifest. */
export function parseBody(type: string, bytes: Buffer, maxBytes: number): unknown {
  const text = bytes.toString('utf8')
  if (text.trim() === '') throw errors.badRequest('the request needs a body')
  if (type.endsWith('yaml')) {
    const objects = decodeManifests(text, { maxBytes })
    if (objects.length !== 1) throw errors.badRequest(`the request body must hold one object, it holds ${objects.length}`)
    return objects[0]!.object
  }
  try {
    return JSON.parse(text)
  } catch (error) {
    throw errors.badRequest(`the request body is not valid JSON: ${(error as Error).message}`)
  }
}
