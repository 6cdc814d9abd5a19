import pg from 'pg'
import { Observable } from 'rxjs'

export interface ListenerOptions {
  /** First reconnect delay after the connection drops. @default 100 */
  minDelayMs?: number
  /** Longest reconnect delay. @default 5000 */
  maxDelayMs?: number
  onError?: (error: Error) => void
}

/**
 * LISTEN on a channel over a dedicated connection that reconnects forever with back-off.
 * Emits once per notification and once after every (re)connect, since notifications sent
 * while it was away are lost and the subscriber must look for itself. Never errors.
 */
export function listen(config: pg.ClientConfig, channel: string, options: ListenerOptions = {}): Observable<void> {
  const minDelay = options.minDelayMs ?? 100
  const maxDelay = options.maxDelayMs ?? 5000
  return new Observable<void>((subscriber) => {
    let client: pg.Client | undefined
    let timer: NodeJS.Timeout | undefined
    let delay = minDelay
    let closed = false

    const reconnectLater = (error?: Error) => {
      if (closed || timer) return
      if (error) options.onError?.(error)
      const old = client
      client = undefined
      old?.removeAllListeners()
      old?.on('error', () => {})
      old?.end().catch(() => {})
      timer = setTimeout(() => {
        timer = undefined
        void connect()
      }, delay)
      delay = Math.min(delay * 2, maxDelay)
    }

    const connect = async () => {
      const c = new pg.Client({ ...config, keepAlive: true })
      client = c
      c.on('notification', () => subscriber.next())
      c.on('error', (error) => reconnectLater(error))
      c.on('end', () => reconnectLater())
      try {
        await c.connect()
        await c.query(`LISTEN "${channel}"`)
        if (closed) return
        delay = minDelay
        subscriber.next()
      } catch (error) {
        if (client === c) reconnectLater(error as Error)
      }
    }

    void connect()
    return () => {
      closed = true
      if (timer) clearTimeout(timer)
      const c = client
      client = undefined
      c?.removeAllListeners()
      c?.on('error', () => {})
      c?.end().catch(() => {})
    }
  })
}
