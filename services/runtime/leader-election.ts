import type { Database } from '../store/database.js'
import type { Logger } from '../log.js'

export interface Leadership {
  /** Whether this process leads now. */
  readonly leading: boolean
  /** Stops leading (releasing the lock) and stops trying. */
  stop(): Promise<void>
}

/**
 * Runs `lead` while this process holds the leader lock, and tries to take the lock every
 * `retryMs` while another process holds it. `lead` starts the work and returns how to stop it;
 * when the lock is lost, the work is stopped and the process goes back to trying.
 */
export function runWhenLeader(
  database: Database,
  lead: () => Promise<() => Promise<void>>,
  options: { name?: string; retryMs?: number; log: Logger },
): Leadership {
  const name = options.name ?? 'revkube-controllers'
  const retryMs = options.retryMs ?? 2000
  let stopped = false
  let leading = false
  let wakeUp: () => void = () => {}
  const loop = (async () => {
    while (!stopped) {
      const lock = await database.tryLock(name)
      if (!lock) {
        await new Promise<void>((resolve) => {
          wakeUp = resolve
          setTimeout(resolve, retryMs).unref()
        })
        continue
      }
      leading = true
      options.log.info('leading: running the controllers, scheduler and simulated nodes')
      const stopLeading = await lead()
      const ended = await Promise.race([
        lock.lost.then(() => 'lost' as const),
        new Promise<'stopped'>((resolve) => (wakeUp = () => resolve('stopped'))),
      ])
      await stopLeading()
      leading = false
      if (ended === 'lost') options.log.warn('lost the leader lock: stopped the controllers; trying to take it again')
      await lock.release()
    }
  })()
  return {
    get leading() {
      return leading
    },
    stop: async () => {
      stopped = true
      wakeUp()
      await loop
    },
  }
}
