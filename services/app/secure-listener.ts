import { writeFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { Duplex } from 'node:stream'
import type { Config } from '../config.js'
import { ConfigError } from '../config-error.js'
import { kubeconfig } from '../auth/kubeconfig.js'
import type { Security } from '../auth/security.js'
import type { Logger } from '../log.js'
import { tlsMaterial, type TlsMaterial } from './tls.js'

export interface SecureListener {
  server: Server
  /** `https://127.0.0.1:<port>` (the address clients on this machine use). */
  url: string
  tls: TlsMaterial
}

/**
 * The HTTPS listener (Kubernetes' --secure-port), serving the same routes as the plain one. It
 * asks for a client certificate and lets a request without one (or with one its CA did not sign)
 * through to bearer-token authentication; a signed one authenticates as the user it names.
 */
export async function listenSecurely(
  config: Config,
  dataDir: string | undefined,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void,
): Promise<SecureListener> {
  const tls = tlsMaterial(config, dataDir)
  const server = createServer({ cert: tls.cert, key: tls.key, ca: tls.clientCa, requestCert: true, rejectUnauthorized: false }, handler)
  server.on('upgrade', onUpgrade)
  const port = config.securePort === 'any' ? 0 : (config.securePort ?? 0)
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new ConfigError(`the secure port ${port} is in use: choose another with --secure-port (REVKUBE_SECURE_PORT), or 0 for none`)
          : error,
      ),
    )
    server.listen(port, config.host, () => resolve())
  })
  const address = server.address() as AddressInfo
  const host = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address
  return { server, url: `https://${host.includes(':') ? `[${host}]` : host}:${address.port}`, tls }
}

/** Writes `<dataDir>/kubeconfig` (0600) for the admin: the secure URL, the CA, and the admin token. */
export function writeKubeconfig(dataDir: string, secure: SecureListener, security: Security, log: Logger): string {
  const path = join(dataDir, 'kubeconfig')
  const text = kubeconfig({
    server: secure.url,
    ...(secure.tls.serverCa && { ca: secure.tls.serverCa }),
    user: 'admin',
    credentials: security.adminToken ? { token: security.adminToken } : {},
  })
  writeFileSync(path, text, { mode: 0o600 })
  log.info('kubectl and Kubernetes clients: KUBECONFIG=<this file> kubectl get nodes', { kubeconfig: path })
  return path
}
