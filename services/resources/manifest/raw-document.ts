/** One document of a manifest stream as a format parser returns it, before it is checked to be an object. */
export interface RawDocument {
  value: unknown
  /** 0-based document index in the input (skipped YAML documents still count). */
  index: number
}
