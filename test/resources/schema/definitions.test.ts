import { describe, expect, it } from 'vitest'
import { builtinKinds } from '../../../services/resources/registry.js'
import { definitionNameOf, definitions, kindShape, type PropertySchema } from '../../../services/resources/schema/shapes.js'

/** Every `$ref` in a property schema, recursively. */
function refsOf(schema: PropertySchema): string[] {
  return [
    schema.$ref,
    ...(schema.items ? refsOf(schema.items) : []),
    ...(schema.additionalProperties ? refsOf(schema.additionalProperties) : []),
  ].filter((r): r is string => r !== undefined)
}

describe('the schema of every served kind', () => {
  it('has the definition each kind names for every version it serves, marked with its group, version and kind', () => {
    const missing = builtinKinds.flatMap((k) =>
      k.versions.filter((v) => !definitions[k.schema[v] ?? '']).map((v) => `${k.group}/${v} ${k.kind}`),
    )
    expect(missing).toEqual([])
    for (const k of builtinKinds) {
      for (const version of k.versions) {
        const definition = definitions[k.schema[version]!]!
        expect(definition['x-kubernetes-group-version-kind']).toEqual([{ group: k.group, version, kind: k.kind }])
        expect(definitionNameOf(k.group, version, k.kind)).toBe(k.schema[version])
        expect(kindShape(k.group, version, k.kind)).toBeDefined()
        expect(Object.keys(definition.properties ?? {})).toEqual(expect.arrayContaining(['apiVersion', 'kind', 'metadata']))
      }
    }
  })

  it('has the definitions of the kinds Kubernetes serves at GA versions that revkube does not serve yet', () => {
    expect(definitionNameOf('scheduling.k8s.io', 'v1', 'PriorityClass')).toBe('io.k8s.api.scheduling.v1.PriorityClass')
    expect(definitionNameOf('policy', 'v1', 'PodDisruptionBudget')).toBe('io.k8s.api.policy.v1.PodDisruptionBudget')
    expect(definitionNameOf('networking.k8s.io', 'v1', 'NetworkPolicy')).toBe('io.k8s.api.networking.v1.NetworkPolicy')
    expect(definitionNameOf('networking.k8s.io', 'v1', 'IngressClass')).toBe('io.k8s.api.networking.v1.IngressClass')
    expect(definitions['io.k8s.api.scheduling.v1.PriorityClass']?.properties?.value).toEqual({ type: 'integer', format: 'int32' })
  })

  it('names definitions as Kubernetes OpenAPI does, and every $ref resolves', () => {
    expect(definitionNameOf('apps', 'v1', 'Deployment')).toBe('io.k8s.api.apps.v1.Deployment')
    expect(definitionNameOf('', 'v1', 'Event')).toBe('io.k8s.api.core.v1.Event')
    expect(definitionNameOf('autoscaling', 'v2', 'HorizontalPodAutoscaler')).toBe('io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler')
    expect(definitions['io.k8s.api.apps.v1.DeploymentSpec']?.properties?.replicas).toEqual({ type: 'integer', format: 'int32' })
    expect(definitions['io.k8s.api.core.v1.PodSpec']?.properties?.activeDeadlineSeconds).toEqual({ type: 'integer', format: 'int64' })
    expect(definitions['io.k8s.api.apps.v1.DeploymentSpec']?.properties?.selector).toEqual({
      $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
    })
    expect(definitions['io.k8s.api.core.v1.ResourceRequirements']?.properties?.limits).toEqual({
      type: 'object',
      additionalProperties: { $ref: '#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity' },
    })
    expect(definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString']).toMatchObject({
      format: 'int-or-string',
      'x-kubernetes-int-or-string': true,
    })
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
