import type { IncomingMessage } from 'node:http'
import { errors, StatusError } from '../errors.js'
import { decodeManifests } from '../resources/manifest.js'

/**
 * A request's body as JSON: at most `maxBytes` (413 beyond, before the rest is read), and a clear
 * 400 when it is not JSON. A YAML body (`application/yaml`) is read as one manifest, as kube-apiserver reads it.
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const mediaType = String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase()
  // Protobuf, which client-go's typed clients send first, is not read: 415 makes them send JSON.
  if (mediaType !== '' && !mediaType.endsWith('json') && !mediaType.endsWith('yaml')) {
    throw new StatusError(
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`,
    )
  }
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
  const text = Buffer.concat(chunks).toString('utf8')
  if (text.trim() === '') throw errors.badRequest('the request needs a body')
  const contentType = String(req.headers['content-type'] ?? '').toLowerCase()
  if (contentType.includes('yaml')) {
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
