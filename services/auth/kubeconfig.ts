import { stringify } from 'yaml'

/** How a kubeconfig's user proves who it is: a bearer token, or a client certificate and its key (PEM). */
export type KubeconfigCredentials = { token: string } | { cert: string; key: string } | Record<string, never>

const base64 = (pem: string) => Buffer.from(pem, 'utf8').toString('base64')

/**
 * A kubeconfig (clientcmd's `Config`) with one cluster, one user and one context, current: what
 * kubectl, client-go, Helm and every Kubernetes client read. `ca` is the PEM the server is
 * verified with.
 */
export function kubeconfig(options: {
  server: string
  ca?: string
  user: string
  credentials: KubeconfigCredentials
  namespace?: string
}): string {
  const { server, ca, user, credentials } = options
  const name = 'revkube'
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server, ...(ca && { 'certificate-authority-data': base64(ca) }) } }],
    users: [
      {
        name: user,
        user:
          'token' in credentials
            ? { token: credentials.token }
            : 'cert' in credentials
              ? { 'client-certificate-data': base64(credentials.cert!), 'client-key-data': base64(credentials.key!) }
              : {},
      },
    ],
    contexts: [{ name, context: { cluster: name, user, namespace: options.namespace ?? 'default' } }],
    'current-context': name,
    preferences: {},
  })
}
