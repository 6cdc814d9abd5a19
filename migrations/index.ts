import type { Migration } from 'kysely'
import * as eventLog from './0001-event-log.js'
import * as auditIndexes from './0002-audit-indexes.js'
import * as rejectedRequests from './0003-rejected-requests.js'
import * as rejectedRequestsAggregated from './0004-rejected-requests-aggregated.js'

/** Every migration, by name, in order. A new migration is a new numbered file added here. */
export const migrations: Record<string, Migration> = {
  '0001-event-log': eventLog,
  '0002-audit-indexes': auditIndexes,
  '0003-rejected-requests': rejectedRequests,
  '0004-rejected-requests-aggregated': rejectedRequestsAggregated,
}
