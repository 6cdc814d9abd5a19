import { StatusError } from '../errors.js'
import { fieldError, invalid } from '../resources/field-errors.js'
import { at, clone, isObject, type JsonObject } from '../json.js'
import { qualifiedResourceName, type KindDefinition } from '../resources/kind.js'
import { labelSelectorFromObject, labelSelectorFromSet, labelSelectorToString } from '../resources/label-selector.js'
import type { Decision } from './decide.js'
import { decideUpdate } from './decide.js'
import { metadataOf } from './object-meta.js'

/** The /scale subresource: an autoscaling/v1 Scale view of a workload's replicas. */

export function scaleDefinition(definition: KindDefinition) {
  if (!definition.scale) {
    throw new StatusError('NotFound', `the server could not find the requested resource (get ${qualifiedResourceName(definition)} scale)`)
  }
  return definition.scale
}

export function scaleOf(definition: KindDefinition, object: JsonObject): JsonObject {
  const paths = scaleDefinition(definition)
  const metadata = metadataOf(object)
  const selector = at(object, paths.selector)
  let text = ''
  if (isObject(selector) && ('matchLabels' in selector || 'matchExpressions' in selector)) {
    const parsed = labelSelectorFromObject(selector).selector
    text = parsed ? labelSelectorToString(parsed) : ''
  } else if (isObject(selector)) {
    text = labelSelectorToString(labelSelectorFromSet(selector as Record<string, string>))
  }
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: {
      name: metadata.name,
      ...(metadata.namespace !== undefined && { namespace: metadata.namespace }),
      uid: metadata.uid,
      resourceVersion: metadata.resourceVersion,
      creationTimestamp: metadata.creationTimestamp,
    },
    spec: { replicas: at(object, paths.specReplicas) ?? 0 },
    status: { replicas: at(object, paths.statusReplicas) ?? 0, ...(text && { selector: text }) },
  }
}

/** Writes spec.replicas through the object's own update path (so it bumps generation like any spec change). */
export function decideScale(definition: KindDefinition, current: JsonObject, replicas: unknown): Decision {
  const paths = scaleDefinition(definition)
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw invalid('Scale', 'autoscaling', String(metadataOf(current).name), [
      fieldError.invalid('spec.replicas', replicas ?? null, 'must be greater than or equal to 0'),
    ])
  }
  const object = clone(current)
  const parts = paths.specReplicas.split('.')
  let target = object
  for (const part of parts.slice(0, -1)) {
    if (!isObject(target[part])) target[part] = {}
    target = target[part] as JsonObject
  }
  target[parts[parts.length - 1]!] = replicas
  return decideUpdate(definition, object, current)
}
