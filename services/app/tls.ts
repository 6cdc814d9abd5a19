import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { X509Certificate } from 'node:crypto'
import { readOrCreate } from '../auth/credentials.js'
import { createCertificateAuthority, createServingCertificate, type KeyPair, splitPem, validFor } from '../auth/certificates.js'
import type { Config } from '../config.js'
import { ConfigError } from '../config-error.js'

/** What the secure listener serves with. */
export interface TlsMaterial {
  /** The serving certificate (PEM, with its chain) and key. */
  cert: string
  key: string
  /** The CA client certificates must be signed by (PEM). */
  clientCa: string
  /** The CA clients verify the server with, for the kubeconfig (PEM); undefined for a certificate given by file. */
  serverCa?: string
  /** The CA that signs client certificates `revkube kubeconfig` makes; undefined with --client-ca-file. */
  ca?: KeyPair
}

/** A serving certificate is made again when it has less than this left. */
const RENEW_BEFORE_MS = 30 * 24 * 3_600_000

/**
 * The secure listener's certificates: the files given (--tls-cert-file, --tls-private-key-file,
 * --client-ca-file), or the server's own, made on first start in `<data-dir>/pki/` as kubeadm
 * makes them: a CA (`ca.pem`, cert and key, 0600; `ca.crt`, the certificate alone) and a serving
 * certificate signed by it (`apiserver.pem`) for 127.0.0.1, localhost, the host name and any
 * --tls-san names, made again when a name is missing or it is near its end. Without a data folder
 * (in memory) they are made anew at each start.
 */
export function tlsMaterial(config: Config, dataDir: string | undefined): TlsMaterial {
  if (config.tlsCertFile || config.tlsPrivateKeyFile) {
    if (!config.tlsCertFile || !config.tlsPrivateKeyFile) {
      throw new ConfigError(
        '--tls-cert-file and --tls-private-key-file go together: give both, or neither for a certificate the server makes',
      )
    }
    const given = { cert: readPem(config.tlsCertFile, '--tls-cert-file'), key: readPem(config.tlsPrivateKeyFile, '--tls-private-key-file') }
    if (!config.clientCaFile) return { ...given, clientCa: given.cert }
    return { ...given, clientCa: readPem(config.clientCaFile, '--client-ca-file') }
  }
  const names = servingNames(config)
  const ca = pair(
    dataDir
      ? readOrCreate(join(dataDir, 'pki', 'ca.pem'), () => joined(createCertificateAuthority()))
      : joined(createCertificateAuthority()),
  )
  if (dataDir) writeFileSync(join(dataDir, 'pki', 'ca.crt'), ca.cert, { mode: 0o644 })
  const serving = dataDir ? servingFromFolder(dataDir, ca, names) : createServingCertificate(ca, names)
  const clientCa = config.clientCaFile ? readPem(config.clientCaFile, '--client-ca-file') : ca.cert
  return { cert: serving.cert + ca.cert, key: serving.key, clientCa, serverCa: ca.cert, ...(!config.clientCaFile && { ca }) }
}

function servingFromFolder(dataDir: string, ca: KeyPair, names: string[]): KeyPair {
  const path = join(dataDir, 'pki', 'apiserver.pem')
  let serving = pair(readOrCreate(path, () => joined(createServingCertificate(ca, names))))
  const covered = new X509Certificate(serving.cert).subjectAltName ?? ''
  if (!names.every((n) => covered.includes(n)) || !validFor(serving.cert, RENEW_BEFORE_MS)) {
    rmSync(path, { force: true })
    serving = pair(readOrCreate(path, () => joined(createServingCertificate(ca, names))))
  }
  return serving
}

/** 127.0.0.1, localhost, the host name, the listening host, and the --tls-san names. */
function servingNames(config: Config): string[] {
  const names = ['127.0.0.1', 'localhost', hostname(), config.host, ...(config.tlsSans ?? [])]
  return [...new Set(names.filter((n) => n && n !== '0.0.0.0' && n !== '::'))]
}

const joined = (p: KeyPair) => `${p.cert.trim()}\n${p.key.trim()}`

function pair(pem: string): KeyPair {
  const found = splitPem(pem)
  if (!found) throw new ConfigError('a certificate file in the data folder is damaged: remove the pki folder to make new ones')
  return found
}

function readPem(path: string, flag: string): string {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new ConfigError(`${flag}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
  }
  if (!text.includes('-----BEGIN ')) throw new ConfigError(`${flag}: ${path} holds no PEM block`)
  return text
}
