/** Freezes a JSON value all the way down, so any attempt to modify it throws in strict mode. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}

/** A frozen deep copy, for inputs that must come out of a patch untouched. */
export function frozen<T>(value: T): T {
  return deepFreeze(structuredClone(value))
}
