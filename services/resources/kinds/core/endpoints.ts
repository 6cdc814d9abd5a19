import type { KindDefinition } from '../../kind.js'

export const endpoints: KindDefinition = {
  kind: 'Endpoints',
  group: '',
  versions: ['v1'],
  resource: 'endpoints',
  shortNames: ['ep'],
  namespaced: true,
  nameRule: 'dns1123-subdomain',
}
