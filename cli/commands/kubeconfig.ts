import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { createClientCertificate, splitPem } from '../../services/auth/certificates.js'
import { kubeconfig } from '../../services/auth/kubeconfig.js'
import type { Command } from '../command.js'
import { CliError } from '../errors.js'

/**
 * `revkube kubeconfig`: a kubeconfig for kubectl and every Kubernetes client, as `kubeadm kubeconfig
 * user` makes one — read from the data folder on the server's machine, where the CA's key is.
 */
export const kubeconfigCommand: Command = {
  name: 'kubeconfig',
  summary: 'Print a kubeconfig for kubectl: the admin’s, or a user’s with a client certificate signed by the cluster CA',
  usage: 'kubeconfig [--user NAME [--groups G1,G2]] [--data-dir DIR] [--server URL] > kubeconfig',
  description: [
    'Without --user it prints the admin kubeconfig the server wrote (<data-dir>/kubeconfig: the admin token).',
    'With --user it makes a client certificate for that user, signed by the cluster CA in <data-dir>/pki',
    '(CN = the user, O = each group, as Kubernetes reads them), valid for a year; RBAC then decides what',
    'the user may do. It runs on the server’s machine: the CA’s key never leaves the data folder. For a',
    'ServiceAccount, put a token from `revkube create token NAME` in a kubeconfig’s user instead.',
  ].join('\n'),
  examples: [
    'revkube kubeconfig > admin.kubeconfig',
    'revkube kubeconfig --user alice --groups dev,qa > alice.kubeconfig',
    'KUBECONFIG=alice.kubeconfig kubectl auth can-i --list',
  ],
  local: true,
  flags: [
    { name: 'user', type: 'string', value: 'NAME', help: 'the user the certificate names (its CN)' },
    { name: 'groups', type: 'strings', value: 'G1,G2', help: 'the user’s groups (the certificate’s O)' },
    { name: 'data-dir', type: 'string', value: 'DIR', help: 'the server’s data folder (default $REVKUBE_DATA_DIR or ./data)' },
    { name: 'server', type: 'string', value: 'URL', help: 'the secure URL to put in it (default: the one in the admin kubeconfig)' },
    { name: 'namespace', short: 'n', type: 'string', value: 'NS', help: 'the context’s namespace (default "default")' },
  ],
  run: async (ctx) => {
    const dataDir = resolve(ctx.io.cwd, (ctx.flags['data-dir'] as string | undefined) ?? ctx.io.env.REVKUBE_DATA_DIR ?? './data')
    const adminFile = join(dataDir, 'kubeconfig')
    const user = ctx.flags.user as string | undefined
    if (!user) {
      if (!existsSync(adminFile))
        throw new CliError(`${adminFile} does not exist: start the server (with a secure port) on this data folder first`)
      ctx.io.out(readFileSync(adminFile, 'utf8'))
      return 0
    }
    const caFile = join(dataDir, 'pki', 'ca.pem')
    if (!existsSync(caFile)) {
      throw new CliError(
        `${caFile} does not exist: the server makes its CA there on first start (with --tls-cert-file, sign certificates with your own CA)`,
      )
    }
    const ca = splitPem(readFileSync(caFile, 'utf8'))
    if (!ca) throw new CliError(`${caFile} holds no certificate and key`)
    const server = (ctx.flags.server as string | undefined) ?? serverOf(adminFile)
    const groups = (ctx.flags.groups as string[] | undefined) ?? []
    ctx.io.out(
      kubeconfig({
        server,
        ca: ca.cert,
        user,
        credentials: createClientCertificate(ca, { name: user, groups }),
        ...(ctx.flags.namespace !== undefined && { namespace: ctx.flags.namespace as string }),
      }),
    )
    return 0
  },
}

function serverOf(adminFile: string): string {
  const found = existsSync(adminFile) ? /^\s+server: (\S+)$/m.exec(readFileSync(adminFile, 'utf8'))?.[1] : undefined
  return found ?? 'https://127.0.0.1:6443'
}
