import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { cliConfigPath } from '../config.js'

/** Where the CLI keeps the tokens of the servers it knows: $REVKUBE_CONFIG, else ~/.revkube/config.json. */
export { cliConfigPath }

/**
 * Secrets the server keeps in its data folder, each created on first start with mode 0600: the
 * admin token (group system:masters) and the key that signs ServiceAccount tokens.
 */
export function readOrCreate(path: string, create: () => string): string {
  if (existsSync(path)) return readFileSync(path, 'utf8').trim()
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  const value = create()
  // Written whole under a temporary name, then linked into place: a process starting at the same
  // moment either wins the link or reads the winner's file, never a half-written one.
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`
  writeFileSync(temporary, `${value}\n`, { mode: 0o600, flag: 'wx' })
  chmodSync(temporary, 0o600)
  try {
    linkSync(temporary, path)
    return value
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    return readFileSync(path, 'utf8').trim()
  } finally {
    rmSync(temporary, { force: true })
  }
}

export const adminTokenPath = (dataDir: string) => join(dataDir, 'admin.token')
export const signingKeyPath = (dataDir: string) => join(dataDir, 'service-account.key')

export const newToken = () => randomBytes(32).toString('base64url')
export const newSigningKey = () => randomBytes(32).toString('base64')

interface CliConfig {
  servers: Record<string, { token: string }>
}

/** A server URL as the CLI config keys it: no trailing slash, localhost as 127.0.0.1. */
export function serverKey(url: string): string {
  return url.replace(/\/+$/, '').replace('://localhost', '://127.0.0.1')
}

export function readCliConfig(path: string): CliConfig {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<CliConfig>
    return { servers: parsed.servers ?? {} }
  } catch {
    return { servers: {} }
  }
}

/** Records a server's token for the CLI on this machine (mode 0600, written whole then renamed). */
export function rememberServer(path: string, url: string, token: string): void {
  const config = readCliConfig(path)
  config.servers[serverKey(url)] = { token }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  const temp = `${path}.${process.pid}.tmp`
  writeFileSync(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 })
  renameSync(temp, path)
}
