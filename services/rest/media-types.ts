/**
 * What a client asked for in its Accept header, as kube-apiserver negotiates it: Kubernetes' Table
 * (`application/json;as=Table;v=v1;g=meta.k8s.io`), the aggregated discovery list, or plain JSON.
 * Protobuf, which typed clients list first, is not served: they take the JSON they also accept.
 */
export type Representation = { as: 'json' } | { as: 'table'; version: 'v1' | 'v1beta1' } | { as: 'discovery' }

interface MediaRange {
  type: string
  params: Record<string, string>
}

function parseAccept(accept: string | undefined): MediaRange[] {
  if (!accept) return []
  return accept.split(',').map((range) => {
    const [type = '', ...params] = range.split(';').map((p) => p.trim())
    return {
      type: type.toLowerCase(),
      params: Object.fromEntries(
        params.map((p) => {
          const eq = p.indexOf('=')
          return eq < 0 ? [p, ''] : [p.slice(0, eq).trim(), p.slice(eq + 1).trim()]
        }),
      ),
    }
  })
}

const isJson = (type: string) => type === 'application/json' || type === 'application/*' || type === '*/*'

/** The first representation in the client's order that revkube serves for this kind of answer. */
export function negotiate(accept: string | undefined, offers: { table?: boolean; discovery?: boolean }): Representation {
  const ranges = parseAccept(accept)
  for (const { type, params } of ranges) {
    if (!isJson(type)) continue
    if (params.as === undefined) return { as: 'json' }
    if (offers.table && params.as === 'Table' && params.g === 'meta.k8s.io' && (params.v === 'v1' || params.v === 'v1beta1')) {
      return { as: 'table', version: params.v }
    }
    if (offers.discovery && params.as === 'APIGroupDiscoveryList' && params.g === 'apidiscovery.k8s.io' && params.v === 'v2') {
      return { as: 'discovery' }
    }
  }
  return { as: 'json' }
}

/** The Content-Type of an answer in `representation`. */
export function contentTypeOf(representation: Representation): string {
  switch (representation.as) {
    case 'table':
      return `application/json;as=Table;v=${representation.version};g=meta.k8s.io`
    case 'discovery':
      return 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList'
    default:
      return 'application/json'
  }
}
