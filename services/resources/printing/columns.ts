import { isObject, type JsonObject } from '../../json.js'
import { meta, spec, status } from '../objects.js'
import { age } from './human-duration.js'

/**
 * A column of a kind's table, in the terms of Kubernetes' Table format (a `TableColumnDefinition`,
 * as kube-apiserver's printers declare them), with the function that gives each row's cell. The
 * CLI prints tables from these; the Table format can serve them as they are.
 */
export interface PrinterColumn {
  /** As Kubernetes names it: `Ready`, `Up-to-date` (kubectl's headers are these upper-cased). */
  name: string
  /** The OpenAPI type of the cells. */
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date'
  /** `name` for the column that holds the object's name (kubectl adds the kind to it when asked). */
  format?: 'name'
  description: string
  /** 0: always shown; 1: only in the wide output. */
  priority: 0 | 1
  /** The cell of one object; ages are counted to `now`. */
  cell: (object: JsonObject, now: Date) => string | number
}

type Json = Record<string, unknown>

/** The JSON helpers cells use: anything missing reads as empty. */
export const obj = (v: unknown): Json => (isObject(v) ? v : {})
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])
/** A value as a cell: `empty` for nothing. @default '<none>' */
export const str = (v: unknown, empty = '<none>') => (v === undefined || v === null || v === '' ? empty : String(v))
export const num = (v: unknown) => (typeof v === 'number' ? v : 0)
export { meta, spec, status }

export const NAME: PrinterColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'The name of the object, unique in its namespace.',
  priority: 0,
  cell: (o) => String(meta(o).name),
}

export const AGE: PrinterColumn = {
  name: 'Age',
  type: 'string',
  description: 'The time since the object was created (metadata.creationTimestamp).',
  priority: 0,
  cell: (o, now) => age(meta(o).creationTimestamp, now),
}

export const CREATED_AT: PrinterColumn = {
  name: 'Created At',
  type: 'date',
  description: 'When the object was created (metadata.creationTimestamp).',
  priority: 0,
  cell: (o) => str(meta(o).creationTimestamp),
}

/** The columns of a kind that declares none: its name and age. */
export const DEFAULT_COLUMNS: readonly PrinterColumn[] = [NAME, AGE]

/** A metav1.LabelSelector as kubectl prints it: `app=web,tier in (a,b)`. */
export function selectorString(selector: unknown): string {
  const s = obj(selector)
  const labels = Object.entries(obj(s.matchLabels)).map(([k, v]) => `${k}=${String(v)}`)
  const expressions = arr(s.matchExpressions).map((e) => {
    const x = obj(e)
    const values = arr(x.values).join(',')
    switch (x.operator) {
      case 'In':
        return `${String(x.key)} in (${values})`
      case 'NotIn':
        return `${String(x.key)} notin (${values})`
      case 'Exists':
        return String(x.key)
      default:
        return `!${String(x.key)}`
    }
  })
  return str([...labels, ...expressions].join(','))
}

/** A map of labels as a selector: `app=web,tier=front`. */
export function mapSelector(selector: unknown): string {
  return str(
    Object.entries(obj(selector))
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(','),
  )
}

/** The containers of the pod template at `template` (a workload's `spec.template`). */
const containersOf = (template: (o: Json) => unknown) => (o: Json) => arr(obj(obj(template(o)).spec).containers).map(obj)

/** The wide CONTAINERS and IMAGES columns of a workload whose pod template `template` picks out. */
export function templateColumns(template: (o: Json) => unknown = (o) => spec(o).template): PrinterColumn[] {
  const containers = containersOf(template)
  return [
    {
      name: 'Containers',
      type: 'string',
      description: 'Names of each container in the template.',
      priority: 1,
      cell: (o) =>
        str(
          containers(o)
            .map((c) => c.name)
            .join(','),
        ),
    },
    {
      name: 'Images',
      type: 'string',
      description: 'Images referenced by each container in the template.',
      priority: 1,
      cell: (o) =>
        str(
          containers(o)
            .map((c) => c.image)
            .join(','),
        ),
    },
  ]
}

/** The wide SELECTOR column of a workload with a metav1.LabelSelector at `spec.selector`. */
export const SELECTOR: PrinterColumn = {
  name: 'Selector',
  type: 'string',
  description: 'The label selector of the pods the workload manages.',
  priority: 1,
  cell: (o) => selectorString(spec(o).selector),
}

/** DESIRED, CURRENT and READY: ReplicaSets and ReplicationControllers. */
export const REPLICA_COUNTS: readonly PrinterColumn[] = [
  { name: 'Desired', type: 'integer', description: 'The number of desired replicas.', priority: 0, cell: (o) => num(spec(o).replicas) },
  { name: 'Current', type: 'integer', description: 'The number of actual replicas.', priority: 0, cell: (o) => num(status(o).replicas) },
  { name: 'Ready', type: 'integer', description: 'The number of ready replicas.', priority: 0, cell: (o) => num(status(o).readyReplicas) },
]
