import { forbidden, type AdmissionPlugin } from './plugin.js'

/**
 * The checks a kind's definition makes itself in validating admission (`KindDefinition.admit`),
 * where Kubernetes has a plugin per kind (Priority's "only one default PriorityClass"): on a
 * create or update of the object itself, not of its subresources.
 */
export const kindAdmission: AdmissionPlugin = {
  name: 'KindAdmission',
  validate: async (request, context) => {
    const { definition, operation, object, old } = request
    if (!definition.admit || operation === 'DELETE' || request.subresource) return
    const why = await definition.admit({ operation, object, ...(old && { old }) }, { list: context.list })
    if (why !== undefined) throw forbidden(request, why)
  },
}
