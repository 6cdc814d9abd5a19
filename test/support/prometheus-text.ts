/**
 * A strict parser of Prometheus' text exposition format 0.0.4, for tests: it throws on anything a
 * Prometheus server would reject or misread (a sample before its TYPE, a family split in two, a
 * duplicate series, a malformed label or value, histogram buckets that are not cumulative or whose
 * +Inf bucket differs from _count). (The npm package parse-prometheus-text-format drops the labels,
 * _sum and _count of labelled histograms, so it cannot check ours.)
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped'

export interface Sample {
  /** The sample's own name: `x_bucket`, `x_sum`, `x_count` for a histogram `x`. */
  name: string
  labels: Record<string, string>
  value: number
}

export interface Family {
  name: string
  help: string
  type: MetricType
  samples: Sample[]
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/
const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped'])

export function parsePrometheusText(text: string): Map<string, Family> {
  if (text.length > 0 && !text.endsWith('\n')) throw new Error('the exposition must end with a newline')
  const families = new Map<string, Family>()
  const finished = new Set<string>()
  const series = new Set<string>()
  let current: Family | undefined
  const lines = text.split('\n').slice(0, -1)
  lines.forEach((line, index) => {
    const where = `line ${index + 1} ("${line}")`
    if (line.trim() === '') return
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line)
      if (!match) return // a comment
      const [, keyword, name, rest] = match as unknown as [string, 'HELP' | 'TYPE', string, string]
      if (!METRIC_NAME.test(name)) throw new Error(`${where}: invalid metric name`)
      const family = open(name, where)
      if (keyword === 'HELP') family.help = unescape(rest, where, false)
      else {
        if (!TYPES.has(rest as MetricType)) throw new Error(`${where}: unknown type "${rest}"`)
        if (family.samples.length > 0) throw new Error(`${where}: TYPE after the family's samples`)
        family.type = rest as MetricType
      }
      return
    }
    const sample = parseSample(line, where)
    const family = familyOf(sample.name)
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`
    if (series.has(key)) throw new Error(`${where}: duplicate series`)
    series.add(key)
    family.samples.push(sample)
    current = family
  })
  for (const family of families.values()) checkFamily(family)
  return families

  function open(name: string, where: string): Family {
    let family = families.get(name)
    if (family && finished.has(name)) throw new Error(`${where}: the family ${name} appears twice`)
    if (!family) {
      families.set(name, (family = { name, help: '', type: 'untyped', samples: [] }))
    }
    if (current && current !== family) finished.add(current.name)
    current = family
    return family
  }

  function familyOf(sampleName: string): Family {
    const candidates = [
      sampleName,
      ...['_bucket', '_sum', '_count'].filter((s) => sampleName.endsWith(s)).map((s) => sampleName.slice(0, -s.length)),
    ]
    for (const name of candidates) {
      const family = families.get(name)
      if (!family) continue
      const own = name === sampleName
      if (!own && family.type !== 'histogram' && family.type !== 'summary') continue
      if (own && family.type === 'histogram') throw new Error(`${sampleName}: a histogram has only _bucket, _sum and _count samples`)
      if (sampleName.endsWith('_bucket') && !own && family.type === 'summary') continue
      if (finished.has(name) || (current && current !== family)) throw new Error(`${sampleName}: the samples of ${name} are not together`)
      return family
    }
    return open(sampleName, sampleName)
  }
}

function parseSample(line: string, where: string): Sample {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)
  if (!nameMatch) throw new Error(`${where}: no metric name`)
  const name = nameMatch[0]
  let i = name.length
  const labels: Record<string, string> = {}
  if (line[i] === '{') {
    i++
    for (;;) {
      if (line[i] === '}') break
      const labelMatch = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(line.slice(i))
      if (!labelMatch || !LABEL_NAME.test(labelMatch[1]!)) throw new Error(`${where}: malformed label at column ${i + 1}`)
      i += labelMatch[0].length
      let raw = ''
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\') raw += line[i++]
        raw += line[i++]
      }
      if (line[i] !== '"') throw new Error(`${where}: unterminated label value`)
      i++
      if (labelMatch[1]! in labels) throw new Error(`${where}: label ${labelMatch[1]} twice`)
      labels[labelMatch[1]!] = unescape(raw, where, true)
      if (line[i] === ',') i++
      else if (line[i] !== '}') throw new Error(`${where}: expected , or } at column ${i + 1}`)
    }
    i++
  }
  const rest = line.slice(i)
  const match = /^ +(\S+)(?: +(-?\d+))?$/.exec(rest)
  if (!match) throw new Error(`${where}: expected " value [timestamp]"`)
  return { name, labels, value: parseValue(match[1]!, where) }
}

/** As Prometheus reads values (Go's ParseFloat): also NaN, Inf and Infinity, signed, in any case. */
function parseValue(text: string, where: string): number {
  const special = /^([-+]?)(inf|infinity|nan)$/i.exec(text)
  if (special) return special[2]!.toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`${where}: invalid value "${text}"`)
  return Number(text)
}

function unescape(raw: string, where: string, quotes: boolean): string {
  return raw.replace(/\\(.?)/g, (_, c: string) => {
    if (c === '\\') return '\\'
    if (c === 'n') return '\n'
    if (c === '"' && quotes) return '"'
    throw new Error(`${where}: invalid escape \\${c}`)
  })
}

function checkFamily(family: Family): void {
  if (family.type === 'counter') {
    for (const s of family.samples) if (!(s.value >= 0)) throw new Error(`${family.name}: a counter is negative or NaN`)
  }
  if (family.type !== 'histogram') return
  const groups = new Map<string, { buckets: Array<[number, number]>; count?: number; sum?: number }>()
  for (const s of family.samples) {
    const { le, ...rest } = s.labels
    const key = JSON.stringify(Object.entries(rest).sort())
    let group = groups.get(key)
    if (!group) groups.set(key, (group = { buckets: [] }))
    if (s.name.endsWith('_bucket')) {
      if (le === undefined) throw new Error(`${family.name}: a bucket without le`)
      group.buckets.push([parseValue(le, family.name), s.value])
    } else if (s.name.endsWith('_count')) group.count = s.value
    else group.sum = s.value
  }
  for (const [key, group] of groups) {
    const where = `${family.name}${key}`
    if (group.count === undefined || group.sum === undefined) throw new Error(`${where}: _count or _sum missing`)
    const buckets = group.buckets
    if (buckets.at(-1)?.[0] !== Infinity) throw new Error(`${where}: the last bucket is not le="+Inf"`)
    for (let i = 1; i < buckets.length; i++) {
      if (!(buckets[i]![0] > buckets[i - 1]![0])) throw new Error(`${where}: bucket bounds not increasing`)
      if (buckets[i]![1] < buckets[i - 1]![1]) throw new Error(`${where}: buckets not cumulative`)
    }
    if (buckets.at(-1)![1] !== group.count) throw new Error(`${where}: the +Inf bucket differs from _count`)
  }
}

/** The value of the one sample named `name` whose labels include `labels`; undefined if none. */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const family of families.values()) {
    for (const s of family.samples) {
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value
    }
  }
  return undefined
}

/** Fetches and parses a server's /metrics, checking the content type. */
export async function scrape(baseUrl: string): Promise<Map<string, Family>> {
  const response = await fetch(`${baseUrl}/metrics`)
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`)
  const type = response.headers.get('content-type') ?? ''
  if (!/^text\/plain; ?version=0\.0\.4/.test(type)) throw new Error(`/metrics content type is ${type}`)
  return parsePrometheusText(await response.text())
}
