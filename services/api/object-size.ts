import { errors } from '../errors.js'
import type { JsonObject } from '../json.js'
import { jsonSize } from '../resources/json-size.js'

/**
 * 413 RequestEntityTooLarge for an object bigger, as JSON, than a write may store (the limit
 * `objectBytes`, 1.5 MiB by default): etcd refuses such a request ("etcdserver: request is too
 * large"). The resource API asks before admission, so nothing is reserved, written or logged.
 */
export function checkSize(object: JsonObject, maxBytes: number): void {
  const size = jsonSize(object)
  if (size > maxBytes) throw errors.tooLarge(`the object is too large: ${size} bytes, the limit is ${maxBytes} bytes`)
}
