import { errors } from '../../errors.js'

/** The special keys of a strategic merge patch (apimachinery `strategicpatch`). */
export const directives = {
  /** `$patch: replace | delete | merge` on a map or a list item. */
  patch: '$patch',
  /** `$retainKeys: [...]`: clear every key of the original map not listed. */
  retainKeys: '$retainKeys',
  /** `$deleteFromPrimitiveList/<field>: [...]`: remove these scalars from the list. */
  deleteFromPrimitiveList: '$deleteFromPrimitiveList',
  /** `$setElementOrder/<field>: [...]`: the order the merged list must have. */
  setElementOrder: '$setElementOrder',
} as const

/** The field a `<prefix>/<field>` directive key names; 400 BadRequest `message` if malformed. */
export function directiveField(key: string, prefix: string, message: string): string {
  const slash = key.indexOf('/')
  if (slash < 0 || key.slice(0, slash) !== prefix) throw errors.badRequest(message)
  return key.slice(slash + 1)
}

/** `parent.field`, or `field` at the root. Paths are dotted field names, array indexes dropped. */
export function childPath(parent: string, field: string): string {
  return parent === '' ? field : `${parent}.${field}`
}
