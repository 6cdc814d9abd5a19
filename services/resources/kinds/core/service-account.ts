import type { KindDefinition } from '../../kind.js'

export const serviceAccount: KindDefinition = {
  kind: 'ServiceAccount',
  group: '',
  versions: ['v1'],
  resource: 'serviceaccounts',
  shortNames: ['sa'],
  namespaced: true,
  nameRule: 'dns1123-subdomain',
}
