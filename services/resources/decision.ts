import type { JsonObject } from '../json.js'

/**
 * What a write decides (services/api/decide.ts): the object to store and the event that records
 * it, the deletion of the stored object, or nothing to write.
 */
export type Decision =
  | { op: 'put'; type: 'Created' | 'Updated' | 'StatusUpdated' | 'DeletionRequested'; object: JsonObject }
  | { op: 'delete'; object: JsonObject }
  | { op: 'none'; object: JsonObject }
