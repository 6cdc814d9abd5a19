import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { revkube } from '../support/cli.js'

/**
 * How the CLI answers servers that are not what it expects: an endpoint that refuses the token
 * (as revkube does once authentication is on), and something that is not a revkube server at all.
 */
let server: Server
let url: string

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.headers.authorization === 'Bearer wrong') {
      res.writeHead(401, { 'content-type': 'application/json' })
      return res.end(JSON.stringify({ errors: [{ message: 'invalid bearer token', extensions: { code: 'UNAUTHENTICATED' } }] }))
    }
    res.writeHead(200, { 'content-type': 'text/html' })
    res.end('<html>a web page</html>')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe('revkube against the wrong server', () => {
  it('says a refused token is a login problem, in one line', async () => {
    const result = await revkube(url, ['get', 'pods', '--token', 'wrong'])
    expect(result).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'error: You must be logged in to the server (Unauthorized): invalid bearer token; check --token or $REVKUBE_TOKEN\n',
    })
    const fromEnv = await revkube(url, ['get', 'pods'], { env: { REVKUBE_TOKEN: 'wrong' } })
    expect(fromEnv.stderr).toContain('(Unauthorized)')
  })

  it('says when the server is not a revkube server', async () => {
    const result = await revkube(url, ['get', 'pods'])
    expect(result).toMatchObject({
      code: 1,
      stderr: `error: the server at ${url} answered HTTP 200 without a GraphQL response: is it a revkube server?\n`,
    })
    const bad = await revkube(undefined, ['get', 'pods', '--server', 'not a url'])
    expect(bad).toMatchObject({ code: 1, stderr: 'error: --server "not a url" is not a URL (expected e.g. http://127.0.0.1:4000)\n' })
  })
})
