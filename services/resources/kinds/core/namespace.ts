import type { Namespace as NamespaceType } from 'kubernetes-types/core/v1.js'
import { fieldError, type FieldError } from '../../field-errors.js'
import { arrayAt, child, defaultTo, objectAt, type JsonObject } from '../../../json.js'
import type { KindDefinition } from '../../kind.js'
import { qualifiedName } from '../../validation/names.js'
import { conditions } from '../merge-keys.js'
import { AGE, NAME, status, str } from '../../printing/columns.js'
import { viewable } from '../roles.js'

/** Finalizer names that need no domain (`helper.IsStandardFinalizerName`). */
const STANDARD_FINALIZERS = ['kubernetes', 'orphan', 'foregroundDeletion']

declare module '../../kind-types.js' {
  interface KindTypes {
    Namespace: NamespaceType
  }
}

export const namespace: KindDefinition = {
  kind: 'Namespace',
  group: '',
  versions: ['v1'],
  schema: { v1: 'io.k8s.api.core.v1.Namespace' },
  resource: 'namespaces',
  shortNames: ['ns'],
  namespaced: false,
  nameRule: 'dns1123-label',
  status: true,
  selectableFields: (o) => ({ 'status.phase': String((o.status as JsonObject | undefined)?.phase ?? '') }),
  // The namespace strategy requires the `kubernetes` finalizer on create; the namespace controller removes it.
  defaults: (o) => {
    const spec = child(o, 'spec')
    defaultTo(spec, 'finalizers', ['kubernetes'])
  },
  initialStatus: () => ({ phase: 'Active' }),
  // `ValidateNamespace`: each spec finalizer is a qualified name, and standard or fully qualified.
  validate: (o) => {
    const errors: FieldError[] = []
    for (const finalizer of arrayAt(o.spec, 'finalizers')) {
      const name = String(finalizer)
      errors.push(...qualifiedName(name).map((message) => fieldError.invalid('spec.finalizers', name, message)))
      if (!name.includes('/') && !STANDARD_FINALIZERS.includes(name)) {
        errors.push(fieldError.invalid('spec.finalizers', name, 'name is neither a standard finalizer name nor is it fully qualified'))
      }
    }
    return errors
  },
  // The namespace controller empties the namespace, then removes `kubernetes` from spec.finalizers.
  deletion: {
    finalizing: (o) => arrayAt(o.spec, 'finalizers').length > 0,
    markDeleting: (o) => {
      o.status = { ...objectAt(o, 'status'), phase: 'Terminating' }
    },
  },
  mergeKeys: conditions,
  printerColumns: [
    NAME,
    {
      name: 'Status',
      type: 'string',
      description: 'Active, or Terminating while it is being deleted.',
      priority: 0,
      cell: (o) => str(status(o).phase, 'Active'),
    },
    AGE,
  ],
  roles: [viewable('status')],
  graphqlType: 'Namespace',
}
