import { createPrivateKey, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { TLSSocket } from 'node:tls'
import forge from 'node-forge'
import type { UserInfo } from './user.js'

/**
 * The cluster's certificate authority and the certificates it signs, as kubeadm makes them: a CA,
 * a serving certificate for the API server (its host names and addresses as SANs), and client
 * certificates whose subject names the user (CN) and groups (O), which kube-apiserver's x509
 * authenticator reads. Keys are RSA 2048 (Node's crypto); certificates are built with node-forge.
 */

export interface KeyPair {
  /** PEM. */
  cert: string
  /** PEM (PKCS#8). */
  key: string
}

const CA_YEARS = 10
const LEAF_YEARS = 1

function newKey() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  return {
    pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    forgePrivate: forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
    forgePublic: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
  }
}

function certificate(subject: forge.pki.CertificateField[], publicKey: forge.pki.PublicKey, years: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate()
  cert.publicKey = publicKey
  // A positive serial: the high bit clear.
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`
  const now = Date.now()
  cert.validity.notBefore = new Date(now - 5 * 60_000)
  cert.validity.notAfter = new Date(now + years * 365 * 24 * 3_600_000)
  cert.setSubject(subject)
  return cert
}

/** A new self-signed certificate authority. */
export function createCertificateAuthority(commonName = 'revkube-ca'): KeyPair {
  const key = newKey()
  const cert = certificate([{ name: 'commonName', value: commonName }], key.forgePublic, CA_YEARS)
  cert.setIssuer(cert.subject.attributes)
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ])
  cert.sign(key.forgePrivate, forge.md.sha256.create())
  return { cert: forge.pki.certificateToPem(cert), key: key.pem }
}

function signed(ca: KeyPair, subject: forge.pki.CertificateField[], extensions: object[]): KeyPair {
  const issuer = forge.pki.certificateFromPem(ca.cert)
  const key = newKey()
  const cert = certificate(subject, key.forgePublic, LEAF_YEARS)
  cert.setIssuer(issuer.subject.attributes)
  cert.setExtensions([{ name: 'basicConstraints', cA: false, critical: true }, ...extensions])
  cert.sign(forge.pki.privateKeyFromPem(pkcs1(ca.key)), forge.md.sha256.create())
  return { cert: forge.pki.certificateToPem(cert), key: key.pem }
}

/** A serving certificate for `names` (DNS names and IP addresses, all in the SANs; the first is the CN). */
export function createServingCertificate(ca: KeyPair, names: readonly string[]): KeyPair {
  const altNames = names.map((name) => (isIp(name) ? { type: 7, ip: name } : { type: 2, value: name }))
  return signed(
    ca,
    [{ name: 'commonName', value: names[0] ?? 'revkube' }],
    [
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  )
}

/** A client certificate for `user`: CN is the name, one O per group, as kube-apiserver reads them. */
export function createClientCertificate(ca: KeyPair, user: { name: string; groups?: readonly string[] }): KeyPair {
  return signed(
    ca,
    [...(user.groups ?? []).map((group) => ({ name: 'organizationName', value: group })), { name: 'commonName', value: user.name }],
    [
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  )
}

/**
 * The user a verified client certificate names, as kube-apiserver's x509 authenticator reads it:
 * the subject's CN is the user, each O a group. Undefined when the subject has no CN.
 */
export function certificateUser(subject: Record<string, string | string[] | undefined>): UserInfo | undefined {
  const cn = subject.CN
  const name = Array.isArray(cn) ? cn[0] : cn
  if (!name) return undefined
  const o = subject.O
  return { name, groups: o === undefined ? [] : Array.isArray(o) ? o : [o] }
}

/** The certificate and key of a PEM file holding both (as `<data-dir>/pki/ca.pem`); undefined if either is missing. */
export function splitPem(pem: string): KeyPair | undefined {
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0]
  const key = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+?-----END [A-Z ]*PRIVATE KEY-----/.exec(pem)?.[0]
  return cert && key ? { cert: `${cert}\n`, key: `${key}\n` } : undefined
}

/** The user a request's client certificate names, when the TLS handshake verified it against the client CA. */
export function certificateOf(req: IncomingMessage | undefined): UserInfo | undefined {
  const socket = req?.socket
  if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined
  return certificateUser(socket.getPeerCertificate().subject as unknown as Record<string, string | string[]>)
}

/** Whether `cert` (PEM) is still valid `margin` ms from now. */
export function validFor(cert: string, marginMs: number): boolean {
  return Date.parse(new X509Certificate(cert).validTo) > Date.now() + marginMs
}

/** node-forge reads RSA private keys in PKCS#1; the files hold PKCS#8, as kubeadm writes them. */
const pkcs1 = (pkcs8: string) => createPrivateKey(pkcs8).export({ type: 'pkcs1', format: 'pem' }).toString()

const isIp = (name: string) => /^[0-9.]+$/.test(name) || name.includes(':')
