import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readCliConfig, readOrCreate, rememberServer, serverKey } from '../../services/auth/credentials.js'
import { issueToken, verifyToken } from '../../services/auth/service-account-tokens.js'
import { parseTokenFile } from '../../services/auth/token-file.js'

const dir = mkdtempSync(join(tmpdir(), 'revkube-credentials-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('credentials', () => {
  it('creates a secret file once, with mode 0600, and reads it back after', () => {
    const path = join(dir, 'nested', 'admin.token')
    const first = readOrCreate(path, () => 'one')
    expect(readOrCreate(path, () => 'two')).toBe(first)
    expect(statSync(path).mode & 0o777).toBe(0o600)
  })

  it('records servers for the CLI, keyed the way the CLI looks them up', () => {
    const path = join(dir, 'cli', 'config.json')
    rememberServer(path, 'http://localhost:4000/', 'a')
    rememberServer(path, 'http://127.0.0.1:4001', 'b')
    expect(readCliConfig(path).servers[serverKey('http://127.0.0.1:4000')]).toEqual({ token: 'a' })
    expect(readCliConfig(path).servers[serverKey('http://localhost:4001/')]).toEqual({ token: 'b' })
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(readCliConfig(join(dir, 'missing.json'))).toEqual({ servers: {} })
  })

  it("reads kube-apiserver's static token file, naming the line of a mistake", () => {
    const tokens = parseTokenFile('# users\nt1,alice,u1,"devs,ops"\n\nt2,bob,u2\n', 'tokens.csv')
    expect(tokens.get('t1')).toEqual({ name: 'alice', uid: 'u1', groups: ['devs', 'ops'] })
    expect(tokens.get('t2')).toEqual({ name: 'bob', uid: 'u2', groups: [] })
    expect(() => parseTokenFile('t1,alice\n', 'tokens.csv')).toThrow('tokens.csv, line 1: expected token,user,uid[,"group1,group2"]')
    expect(() => parseTokenFile('t1,a,1\nt1,b,2\n', 'tokens.csv')).toThrow('tokens.csv, line 2: the token is listed twice')
    expect(() => parseTokenFile('t1,a,1,"open\n', 'tokens.csv')).toThrow('tokens.csv, line 1: an unterminated quote')
  })

  it('signs and verifies ServiceAccount tokens', () => {
    const key = randomBytes(32)
    const { token } = issueToken(key, { namespace: 'ci', name: 'robot', uid: 'u-1', expirationSeconds: 600 })
    expect(verifyToken(key, token)).toEqual({ namespace: 'ci', name: 'robot', uid: 'u-1' })
    expect(verifyToken(randomBytes(32), token)).toEqual({ invalid: 'the signature does not verify' })
    expect(verifyToken(key, token, new Date(Date.now() + 601_000))).toEqual({ invalid: 'expired' })
    const [h, p, sig] = token.split('.')
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), exp: 9_999_999_999 })).toString(
      'base64url',
    )
    expect(verifyToken(key, `${h}.${forged}.${sig}`)).toEqual({ invalid: 'the signature does not verify' })
    expect(verifyToken(key, 'nonsense')).toEqual({ invalid: 'not a JWT' })
  })
})
