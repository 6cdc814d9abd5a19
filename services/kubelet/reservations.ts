/**
 * Addresses handed out that the state does not show yet. The kubelet runs several workers at
 * once, each reconciling against the state it was given; without this record two pods on one node
 * (or two new nodes) written at the same time would be given the same address. Host-local IPAM
 * keeps the same record on a node's disk.
 */
export class Reservations {
  /** pool → owner → address */
  private readonly pools = new Map<string, Map<string, string>>()
  private readonly poolOf = new Map<string, string>()

  /**
   * The address held for `owner` in `pool`, or a new one from `pick`, which is told every address
   * taken: those in `used` (what the state shows) and those held for others. Undefined when
   * `pick` finds none.
   */
  take(
    pool: string,
    owner: string,
    used: ReadonlySet<string>,
    pick: (taken: ReadonlySet<string>) => string | undefined,
  ): string | undefined {
    const held = this.pools.get(pool)
    const mine = held?.get(owner)
    if (mine !== undefined) return mine
    const taken = new Set(used)
    for (const address of held?.values() ?? []) taken.add(address)
    const address = pick(taken)
    if (address === undefined) return undefined
    this.release(owner)
    if (!held) this.pools.set(pool, new Map([[owner, address]]))
    else held.set(owner, address)
    this.poolOf.set(owner, pool)
    return address
  }

  /** Forgets what is held for `owner`: the state shows its address now, or it is gone. */
  release(owner: string): void {
    const pool = this.poolOf.get(owner)
    if (pool === undefined) return
    this.poolOf.delete(owner)
    const held = this.pools.get(pool)!
    held.delete(owner)
    if (held.size === 0) this.pools.delete(pool)
  }

  /** How many addresses are held (for tests). */
  get size(): number {
    return this.poolOf.size
  }
}
