/**
 * kubectl describe's text: `Label:  value` lines, values aligned within each block, nested blocks
 * indented, and an Events table at the end.
 */
import { age } from '../services/resources/printing/human-duration.js'
import { formatTable } from './output.js'

type Json = Record<string, unknown>
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {})
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])

type Line = { indent: number; label: string; value?: string } | { indent: number; raw: string }

export class DescribeWriter {
  private readonly lines: Line[] = []

  /** `Label:  value`; without a value, a heading for the lines indented under it. */
  field(indent: number, label: string, value?: string): this {
    this.lines.push(value === undefined ? { indent, label } : { indent, label, value })
    return this
  }

  raw(indent: number, text: string): this {
    for (const line of text.replace(/\n$/, '').split('\n')) this.lines.push({ indent, raw: line })
    return this
  }

  /** Labels or annotations: the first on the label's line, the rest aligned under it. */
  map(indent: number, label: string, values: unknown, separator = '='): this {
    const entries = Object.entries(obj(values)).sort(([a], [b]) => a.localeCompare(b))
    if (entries.length === 0) return this.field(indent, label, '<none>')
    entries.forEach(([k, v], i) => this.field(indent, i === 0 ? label : '', `${k}${separator}${String(v)}`))
    return this
  }

  toString(): string {
    const out: string[] = []
    for (let i = 0; i < this.lines.length; ) {
      // A run of value lines at one indent shares one value column.
      let j = i
      const first = this.lines[i]!
      if ('raw' in first || first.value === undefined) {
        out.push('raw' in first ? `${' '.repeat(first.indent)}${first.raw}` : `${' '.repeat(first.indent)}${first.label}:`)
        i++
        continue
      }
      while (j < this.lines.length) {
        const l = this.lines[j]!
        if ('raw' in l || l.value === undefined || l.indent !== first.indent) break
        j++
      }
      const run = this.lines.slice(i, j) as Array<{ indent: number; label: string; value: string }>
      const width = Math.max(...run.map((l) => (l.label ? l.label.length + 1 : 0))) + 2
      for (const l of run) out.push(`${' '.repeat(l.indent)}${(l.label ? `${l.label}:` : '').padEnd(width)}${l.value}`.trimEnd())
      i = j
    }
    return `${out.join('\n')}\n`
  }
}

/** kubectl's time format in describe: Thu, 26 Nov 2026 14:02:00 +0000. */
export function describeTime(value: unknown): string {
  if (typeof value !== 'string') return '<unset>'
  const d = new Date(value)
  return `${d.toUTCString().replace('GMT', '+0000')}`
}

export function selectorText(selector: unknown): string {
  const s = obj(selector)
  const labels = Object.entries(obj(s.matchLabels ?? (s.matchExpressions ? {} : s))).map(([k, v]) => `${k}=${String(v)}`)
  const expressions = arr(s.matchExpressions).map(
    (e) => `${String(obj(e).key)} ${String(obj(e).operator)} (${arr(obj(e).values).join(',')})`,
  )
  return [...labels, ...expressions].join(',') || '<none>'
}

/** The Pod Template block of Deployments, ReplicaSets and rollout history. */
export function describePodTemplate(w: DescribeWriter, indent: number, template: unknown): void {
  const t = obj(template)
  const spec = obj(t.spec)
  w.map(indent, 'Labels', obj(t.metadata).labels)
  const annotations = obj(obj(t.metadata).annotations)
  if (Object.keys(annotations).length) w.map(indent, 'Annotations', annotations, ': ')
  if (spec.serviceAccountName) w.field(indent, 'Service Account', String(spec.serviceAccountName))
  describeContainers(w, indent, arr(spec.containers))
  const volumes = arr(spec.volumes).map(obj)
  if (volumes.length === 0) w.field(indent, 'Volumes', '<none>')
  else {
    w.field(indent, 'Volumes')
    for (const v of volumes) {
      w.field(indent + 1, String(v.name))
      const source = Object.keys(v).find((k) => k !== 'name')
      w.field(indent + 2, 'Type', source ?? '<unknown>')
    }
  }
  const selector = obj(spec.nodeSelector)
  if (Object.keys(selector).length) w.map(indent, 'Node-Selectors', selector)
}

export function describeContainers(w: DescribeWriter, indent: number, containers: unknown[], statuses: unknown[] = []): void {
  w.field(indent, 'Containers')
  for (const c of containers.map(obj)) {
    w.field(indent + 1, String(c.name))
    const status = statuses.map(obj).find((s) => s.name === c.name)
    const ports = arr(c.ports).map(obj)
    w.field(indent + 2, 'Image', String(c.image ?? ''))
    w.field(
      indent + 2,
      'Port',
      ports.length ? ports.map((p) => `${String(p.containerPort)}/${String(p.protocol ?? 'TCP')}`).join(', ') : '<none>',
    )
    w.field(
      indent + 2,
      'Host Port',
      ports.some((p) => p.hostPort) ? ports.map((p) => `${String(p.hostPort ?? 0)}/${String(p.protocol ?? 'TCP')}`).join(', ') : '<none>',
    )
    if (status) {
      const state = obj(status.state)
      const [name, detail] = Object.entries(state)[0] ?? ['waiting', {}]
      w.field(indent + 2, 'State', name.charAt(0).toUpperCase() + name.slice(1))
      if (obj(detail).startedAt) w.field(indent + 4, 'Started', describeTime(obj(detail).startedAt))
      if (obj(detail).reason) w.field(indent + 4, 'Reason', String(obj(detail).reason))
      w.field(indent + 2, 'Ready', status.ready ? 'True' : 'False')
      w.field(indent + 2, 'Restart Count', String(status.restartCount ?? 0))
    }
    const resources = obj(c.resources)
    for (const part of ['limits', 'requests']) {
      const values = obj(resources[part])
      if (Object.keys(values).length === 0) continue
      w.field(indent + 2, part.charAt(0).toUpperCase() + part.slice(1))
      for (const [k, v] of Object.entries(values)) w.field(indent + 4, k, String(v))
    }
    const env = arr(c.env).map(obj)
    if (env.length === 0) w.field(indent + 2, 'Environment', '<none>')
    else {
      w.field(indent + 2, 'Environment')
      for (const e of env) w.field(indent + 4, String(e.name), e.value !== undefined ? String(e.value) : '<set from a reference>')
    }
    const mounts = arr(c.volumeMounts).map(obj)
    w.field(indent + 2, 'Mounts', mounts.length ? '' : '<none>')
    for (const m of mounts) w.raw(indent + 4, `${String(m.mountPath)} from ${String(m.name)} (${m.readOnly ? 'ro' : 'rw'})`)
  }
}

export function describeConditions(
  w: DescribeWriter,
  conditions: unknown,
  columns: Array<'Status' | 'Reason'> = ['Status', 'Reason'],
): void {
  const list = arr(conditions).map(obj)
  if (list.length === 0) return
  w.field(0, 'Conditions')
  const rows = [
    ['Type', ...columns],
    ['----', ...columns.map((c) => '-'.repeat(c.length))],
    ...list.map((c) => [String(c.type), ...columns.map((k) => String(c[k.toLowerCase()] ?? ''))]),
  ]
  w.raw(2, formatTable(rows))
}

/** The Events block: kubectl's table of the object's Events, oldest first. */
export function describeEvents(w: DescribeWriter, events: Json[], now: Date): void {
  if (events.length === 0) return void w.field(0, 'Events', '<none>')
  w.field(0, 'Events')
  const when = (e: Json) => String(e.lastTimestamp ?? e.eventTime ?? '')
  const revision = (e: Json) => Number(obj(e.metadata).resourceVersion ?? 0)
  const sorted = [...events].sort((a, b) => when(a).localeCompare(when(b)) || revision(a) - revision(b))
  const rows = sorted.map((e) => {
    const count = Number(e.count ?? 1)
    const last = age(e.lastTimestamp ?? e.eventTime ?? obj(e.metadata).creationTimestamp, now)
    const seen = count > 1 ? `${last} (x${count} over ${age(e.firstTimestamp, now)})` : last
    return [
      String(e.type ?? 'Normal'),
      String(e.reason ?? ''),
      seen,
      String(obj(e.source).component ?? e.reportingComponent ?? ''),
      String(e.message ?? '').trim(),
    ]
  })
  w.raw(2, formatTable([['Type', 'Reason', 'Age', 'From', 'Message'], ['----', '------', '----', '----', '-------'], ...rows]))
}
