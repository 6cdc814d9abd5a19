import type { LogEvent } from '../services/store/commands.js'
import { emptyState, type ClusterState } from './cluster-state.js'
import { evolve } from './evolve.js'

/**
 * The cluster at `revision`, folded from the log's events in order with the same `evolve` the
 * live projection uses: replay can never drift from live.
 */
export async function stateAt(events: AsyncIterable<LogEvent[]> | Iterable<LogEvent[]>, revision: number): Promise<ClusterState> {
  const state = emptyState()
  for await (const page of events) {
    for (const event of page) {
      if (event.revision > revision) return state
      evolve(state, event)
    }
  }
  state.revision = Math.max(state.revision, revision)
  return state
}
