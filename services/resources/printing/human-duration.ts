/** kubectl's HumanDuration of the time from `since` to `now`: 45s, 2m30s, 5h, 3d4h, 2y10d. */
export function age(since: unknown, now: Date): string {
  if (typeof since !== 'string') return '<unknown>'
  const seconds = Math.floor((now.getTime() - new Date(since).getTime()) / 1000)
  if (Number.isNaN(seconds)) return '<unknown>'
  if (seconds < -1) return '<invalid>'
  if (seconds < 0) return '0s'
  if (seconds < 120) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`
  if (minutes < 180) return `${minutes}m`
  const hours = Math.floor(minutes / 60)
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`
  if (hours < 48) return `${hours}h`
  const days = Math.floor(hours / 24)
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`
  if (days < 365 * 2) return `${days}d`
  const years = Math.floor(days / 365)
  return years < 8 && days % 365 !== 0 ? `${years}y${days % 365}d` : `${years}y`
}
