import { isObject } from '../json.js'

/**
 * The scheduler reads pods and nodes as Kubernetes' scheduler reads what Go decoded: a field of
 * the wrong shape (a string where a list or an object belongs, left by a write that skipped
 * validation) reads as absent, never as a crash. These two say so once for a typed field.
 */

/** The field when it is an object, as its type says; otherwise undefined. */
export const objectOr = <T>(value: T | undefined): T | undefined => (isObject(value) ? value : undefined)

/** The field when it is a list, as its type says; otherwise none. */
export const listOf = <T>(value: readonly T[] | undefined): readonly T[] => (Array.isArray(value) ? value : [])
