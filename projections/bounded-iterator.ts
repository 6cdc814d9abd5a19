import type { Observable } from 'rxjs'

/**
 * An Observable as an AsyncIterableIterator with at most `limit` values waiting for the consumer.
 * RxJS pushes; an async consumer (a WebSocket, an HTTP stream) pulls. A consumer that falls more
 * than `limit` values behind is cut off with the error `overflow(lastDelivered)` makes, rather
 * than letting memory grow without bound; with the last value it saw it can resume (a watch
 * resumes from its last revision). Returning from the iterator unsubscribes.
 */
export function boundedIterator<T>(
  source: Observable<T>,
  limit: number,
  overflow: (lastDelivered: T | undefined) => Error,
): AsyncIterableIterator<T> {
  const queue: T[] = []
  let waiting: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined
  let failure: unknown
  let done = false
  let last: T | undefined

  const finish = () => {
    subscription.unsubscribe()
    done = true
  }
  const subscription = source.subscribe({
    next: (value) => {
      if (done) return
      if (waiting) {
        const w = waiting
        waiting = undefined
        last = value
        return w.resolve({ value, done: false })
      }
      queue.push(value)
      if (queue.length > limit) {
        failure = overflow(last)
        queue.length = 0
        finish()
      }
    },
    error: (error) => {
      failure = error
      done = true
      waiting?.reject(error)
      waiting = undefined
    },
    complete: () => {
      done = true
      waiting?.resolve({ value: undefined, done: true })
      waiting = undefined
    },
  })

  const iterator: AsyncIterableIterator<T> = {
    next: () => {
      if (queue.length > 0) {
        last = queue.shift()!
        return Promise.resolve({ value: last, done: false })
      }
      if (failure !== undefined) {
        const error = failure
        failure = undefined
        return Promise.reject(error)
      }
      if (done) return Promise.resolve({ value: undefined, done: true })
      return new Promise((resolve, reject) => (waiting = { resolve, reject }))
    },
    return: () => {
      finish()
      queue.length = 0
      waiting?.resolve({ value: undefined, done: true })
      waiting = undefined
      return Promise.resolve({ value: undefined, done: true })
    },
    [Symbol.asyncIterator]: () => iterator,
  }
  return iterator
}
