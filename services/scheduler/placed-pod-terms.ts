import type { AffinityTerm } from './pod-affinity-terms.js'
import type { PodInfo } from './pod-info.js'

/** Which of a placed pod's terms: the symmetric checks treat each kind differently. */
export type TermKind = 'required' | 'requiredAnti' | 'preferred' | 'preferredAnti'

export interface PlacedTerm {
  kind: TermKind
  term: AffinityTerm
  /** node → how many placed pods there carry this term */
  nodes: Map<string, number>
}

const kinds: readonly TermKind[] = ['required', 'requiredAnti', 'preferred', 'preferredAnti']

/**
 * The affinity terms of the pods placed on nodes, grouped: replicas of one workload carry the same
 * terms, so a pod being scheduled checks each distinct term once (does it select me?) instead of
 * once per placed pod, then looks only at the nodes that carry it.
 */
export class PlacedPodTerms {
  private readonly terms = new Map<string, PlacedTerm>()

  change(pod: PodInfo, node: string, by: 1 | -1): void {
    if (!pod.hasAffinity) return
    for (const kind of kinds) {
      for (const term of pod.affinity[kind]) {
        const id = `${kind}|${term.weight}|${term.topologyKey}|${term.signature}`
        let placed = this.terms.get(id)
        if (!placed) {
          if (by < 0) continue
          this.terms.set(id, (placed = { kind, term, nodes: new Map() }))
        }
        const count = (placed.nodes.get(node) ?? 0) + by
        if (count === 0) placed.nodes.delete(node)
        else placed.nodes.set(node, count)
        if (placed.nodes.size === 0) this.terms.delete(id)
      }
    }
  }

  /** The distinct terms of placed pods, of one kind or all. */
  *all(kind?: TermKind): Iterable<PlacedTerm> {
    for (const placed of this.terms.values()) if (kind === undefined || placed.kind === kind) yield placed
  }
}
