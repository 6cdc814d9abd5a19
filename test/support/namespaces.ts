import type { ResourceApi } from '../../services/api/resource-api.js'

let created = 0

/**
 * A new namespace of its own for one test case on a cluster the cases of a file share, so that no
 * case sees another's objects or depends on what another left behind: run alone (`-t`, `.only`)
 * it finds what it would find after the others.
 */
export async function freshNamespace(api: ResourceApi, prefix = 'case'): Promise<string> {
  const name = `${prefix}-${++created}`
  await api.create({ actor: 'test' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } })
  return name
}
