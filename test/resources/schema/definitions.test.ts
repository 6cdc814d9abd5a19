import { describe, expect, it } from 'vitest'
import { builtinKinds } from '../../../services/resources/registry.js'
import { definitionNameOf, definitions, kindShape, type PropertySchema } from '../../../services/resources/schema/shapes.js'

/** Every `$ref` in a property schema, recursively. */
function refsOf(schema: PropertySchema): string[] {
  return [schema.$ref, ...(schema.items ? refsOf(schema.items) : []), ...(schema.additionalProperties ? refsOf(schema.additionalProperties) : [])].filter(
    (r): r is string => r !== undefined,
  )
}

describe('the schema of every served kind', () => {
  it('has a definition for every kind and version the registry serves, marked with its group, version and kind', () => {
    const missing = builtinKinds.flatMap((k) => k.versions.filter((v) => !kindShape(k.group, v, k.kind)).map((v) => `${k.group}/${v} ${k.kind}`))
    expect(missing).toEqual([])
    for (const k of builtinKinds) {
      for (const version of k.versions) {
        const definition = definitions[definitionNameOf(k.group, version, k.kind)!]!
        expect(definition['x-kubernetes-group-version-kind']).toEqual([{ group: k.group, version, kind: k.kind }])
        expect(Object.keys(definition.properties ?? {})).toEqual(expect.arrayContaining(['apiVersion', 'kind', 'metadata']))
      }
    }
  })

  it('names definitions as Kubernetes OpenAPI does, and every $ref resolves', () => {
    expect(definitionNameOf('apps', 'v1', 'Deployment')).toBe('io.k8s.api.apps.v1.Deployment')
    expect(definitionNameOf('', 'v1', 'Event')).toBe('io.k8s.api.core.v1.Event')
    expect(definitionNameOf('autoscaling', 'v2', 'HorizontalPodAutoscaler')).toBe('io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler')
    expect(definitions['io.k8s.api.apps.v1.DeploymentSpec']?.properties?.replicas).toEqual({ type: 'integer', format: 'int32' })
    expect(definitions['io.k8s.api.core.v1.PodSpec']?.properties?.activeDeadlineSeconds).toEqual({ type: 'integer', format: 'int64' })
    expect(definitions['io.k8s.api.apps.v1.DeploymentSpec']?.properties?.selector).toEqual({ $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector' })
    expect(definitions['io.k8s.api.core.v1.ResourceRequirements']?.properties?.limits).toEqual({
      type: 'object',
      additionalProperties: { $ref: '#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity' },
    })
    expect(definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString']).toMatchObject({ format: 'int-or-string', 'x-kubernetes-int-or-string': true })
    expect(definitions['io.k8s.api.apps.v1.ControllerRevision']?.properties?.data).toEqual({ 'x-kubernetes-preserve-unknown-fields': true })
    const dangling = Object.entries(definitions).flatMap(([name, d]) =>
      Object.values(d.properties ?? {})
        .flatMap(refsOf)
        .filter((ref) => !definitions[ref.replace('#/definitions/', '')])
        .map((ref) => `${name} → ${ref}`),
    )
    expect(dangling).toEqual([])
  })
})
