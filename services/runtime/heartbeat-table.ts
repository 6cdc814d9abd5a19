/**
 * When each simulated node's kubelet last showed it was alive, kept in memory: heartbeats are
 * not history (docs/design/controllers.md), so they never reach the log. The kubelet renews a node's entry every
 * 10 s (Kubernetes renews the node's Lease as often); the node lifecycle controller reads it and
 * writes a condition only when a node stops renewing.
 */
export class HeartbeatTable {
  private readonly renewed = new Map<string, Date>()
  private readonly firstSeen = new Map<string, Date>()

  /** The kubelet of `node` is alive at `at`. */
  renew(node: string, at: Date): void {
    this.renewed.set(node, at)
  }

  /** The last heartbeat of `node`, if its kubelet has posted one since this process started. */
  lastRenewed(node: string): Date | undefined {
    return this.renewed.get(node)
  }

  /**
   * When `node` was last known alive: its last heartbeat, or else when it was first asked about
   * (recorded now, so a node nobody has heard from yet gets its grace period from this moment,
   * as Kubernetes' node lifecycle controller gives every node it starts watching).
   */
  lastSeen(node: string, now: Date): Date {
    const renewed = this.renewed.get(node)
    if (renewed) return renewed
    let first = this.firstSeen.get(node)
    if (!first) this.firstSeen.set(node, (first = now))
    return first
  }

  /** The node is gone: drop what is known about it. */
  forget(node: string): void {
    this.renewed.delete(node)
    this.firstSeen.delete(node)
  }
}
