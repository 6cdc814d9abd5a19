/**
 * Progress of a long command on stderr: a bar redrawn in place on a terminal, or a plain line every
 * few seconds for logs and pipes (no carriage returns, no escape codes), or nothing.
 */
export type ProgressMode = 'bar' | 'lines' | 'off'

export interface ProgressOptions {
  mode: ProgressMode
  /** Where the progress goes: stderr. */
  write: (text: string) => void
  /** What is being done, as a present participle: `replaying`. */
  doing: string
  /** The same, done: `replayed`. */
  did: string
  /** How many events the whole run covers, when known: enables the percentage and ETA. */
  total?: number
  /** Between two plain lines. @default 2000 */
  intervalMs?: number
  /** @default performance.now */
  now?: () => number
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
const BAR = 24

/** Counts events and reports their number, rate and (with a total) ETA. */
export class Progress {
  private readonly started: number
  private lastShown: number
  private drawn = false
  private readonly now: () => number

  constructor(private readonly options: ProgressOptions) {
    this.now = options.now ?? (() => performance.now())
    this.started = this.now()
    this.lastShown = this.started
  }

  /** `done` events so far; shows a line when one is due. */
  update(done: number): void {
    if (this.options.mode === 'off') return
    const now = this.now()
    const interval = this.options.mode === 'bar' ? 100 : (this.options.intervalMs ?? 2000)
    if (now - this.lastShown < interval) return
    this.lastShown = now
    this.show(done, now)
  }

  /** Clears the bar; plain lines stay as they are (the command prints its summary itself). */
  finish(): void {
    if (this.options.mode === 'bar' && this.drawn) this.options.write('\r\x1b[K')
    this.drawn = false
  }

  private show(done: number, now: number): void {
    const seconds = (now - this.started) / 1000
    const rate = seconds > 0 ? done / seconds : 0
    const total = this.options.total
    const share = total ? Math.min(1, done / total) : undefined
    const eta = total && rate > 0 ? duration(Math.max(0, total - done) / rate) : undefined
    if (this.options.mode === 'bar') {
      const filled = share === undefined ? 0 : Math.round(share * BAR)
      const bar = share === undefined ? '' : `[${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}] ${Math.floor(share * 100)}% `
      const count = total ? `${fmt(done)}/${fmt(total)}` : fmt(done)
      this.options.write(`\r\x1b[K${this.options.doing} ${bar}${count} events  ${fmt(rate)}/s${eta ? `  ETA ${eta}` : ''}`)
      this.drawn = true
      return
    }
    const count = total ? `${fmt(done)} of ${fmt(total)} events (${Math.floor(share! * 100)}%)` : `${fmt(done)} events`
    this.options.write(`${this.options.did} ${count}, ${fmt(rate)} events/s${eta ? `, ETA ${eta}` : ''}\n`)
  }
}

/** `8s`, `2m05s`, `1h02m`. */
export function duration(seconds: number): string {
  const s = Math.round(seconds)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}
