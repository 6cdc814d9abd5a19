import { defaultTo, child, type JsonObject } from '../../json.js'
import type { KindDefinition } from '../../kind.js'

export const namespace: KindDefinition = {
  kind: 'Namespace',
  group: '',
  versions: ['v1'],
  resource: 'namespaces',
  shortNames: ['ns'],
  namespaced: false,
  nameRule: 'dns1123-label',
  status: true,
  selectableFields: (o) => ({ 'status.phase': String((o.status as JsonObject | undefined)?.phase ?? '') }),
  defaults: (o) => {
    const spec = child(o, 'spec')
    defaultTo(spec, 'finalizers', ['kubernetes'])
  },
  initialStatus: () => ({ phase: 'Active' }),
}
