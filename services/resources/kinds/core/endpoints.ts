import { arrayAt, isObject } from '../../json.js'
import type { KindDefinition } from '../../kind.js'
import { defaultZero } from '../zero-value.js'

export const endpoints: KindDefinition = {
  kind: 'Endpoints',
  group: '',
  versions: ['v1'],
  resource: 'endpoints',
  shortNames: ['ep'],
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  // SetDefaults_Endpoints: ports speak TCP unless they say otherwise.
  defaults: (o) => {
    for (const subset of arrayAt(o, 'subsets')) {
      for (const port of arrayAt(subset, 'ports')) if (isObject(port)) defaultZero(port, 'protocol', 'TCP')
    }
  },
}
