import { getIntrospectionQuery } from 'graphql'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixedLimits } from '../../graphql/limits.js'
import { startSecureServer, type SecureServer } from '../support/secure-server.js'
import { backend } from '../support/store.js'

/**
 * The newcomer's first minutes: GraphiQL comes from the server itself (it works without internet
 * access), its page and files open to a browser, every operation it sends needing the token; the
 * standard introspection query that its Docs panel, codegen tools and Postman send is served.
 */
let s: SecureServer

beforeAll(async () => {
  s = await startSecureServer({ viewer: [] })
  await s.bind('viewer', 'ClusterRole', 'view')
})

afterAll(async () => s?.close())

describe(`GraphiQL (${backend})`, () => {
  it('serves its page to a browser without a token, every script, style and icon from this server', async () => {
    const page = await fetch(s.url, { headers: { accept: 'text/html' } })
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    const html = await page.text()
    expect(html).toContain('<title>revkube</title>')
    // Nothing is fetched from elsewhere, and the page itself stays small.
    expect(html).not.toMatch(/https?:\/\//)
    expect(html.length).toBeLessThan(16 * 1024)
    const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)
    const workers = Object.values(JSON.parse(/const workers = (\{[^}]*\})/.exec(html)![1]!) as Record<string, string>)
    expect(urls.length).toBeGreaterThanOrEqual(3)
    for (const url of [...urls, ...workers]) {
      expect(url).toMatch(/^\/[^/]/)
      const asset = await fetch(`${s.server.url}${url}`)
      expect({ url, status: asset.status }).toEqual({ url, status: 200 })
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(0)
    }
    const script = await fetch(`${s.server.url}/graphiql/graphiql.js`)
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/)
    expect(await script.text()).toContain('renderYogaGraphiQL')
  })

  it('answers what the page sends without a token 401', async () => {
    const answer = await s.gql(undefined, getIntrospectionQuery())
    expect(answer.status).toBe(401)
    expect(answer.data ?? null).toBeNull()
  })
})

describe(`introspection (${backend})`, () => {
  it("answers the standard introspection query, every option on, as GraphiQL's Docs panel and codegen send it", async () => {
    const options = {
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
    }
    const query = getIntrospectionQuery(options)
    const answer = await s.gql(s.tokens.viewer, query)
    expect(answer.errors).toBeUndefined()
    expect(answer.data!.__schema.queryType.name).toBe('Query')
    expect(answer.data!.__schema.types.map((t: { name: string }) => t.name)).toContain('Pod')
  })

  it('still bounds introspection: deeper than its own limit, or many copies of the schema, is refused', async () => {
    let deep = 'name'
    for (let i = 0; i < fixedLimits.introspectionDepth; i++) deep = `ofType { ${deep} }`
    const tooDeep = await s.gql(s.tokens.viewer, `{ __type(name: "Query") { fields { type { ${deep} } } } }`)
    expect(tooDeep.status).toBe(400)
    expect(tooDeep.errors![0]!.message).toMatch(
      new RegExp(`^introspection depth \\d+ exceeds the limit of ${fixedLimits.introspectionDepth}$`),
    )

    const schema = '__schema { types { name fields { name args { name type { name } } type { name ofType { name } } } } }'
    const copies = Array.from({ length: 100 }, (_, i) => `s${i}: ${schema}`)
    const tooMany = await s.gql(s.tokens.viewer, `{ ${copies.join(' ')} }`)
    expect(tooMany.status).toBe(400)
    expect(tooMany.errors![0]!.message).toMatch(/^query cost \d+ exceeds the limit of 2000000/)
  })

  it('keeps the query depth limit outside introspection', async () => {
    let selection = 'metadata { name }'
    for (let i = 0; i < 6; i++) selection = `node { pods { ${selection} } }`
    const answer = await s.gql(s.tokens.viewer, `{ __schema { queryType { name } } pod(name: "x") { ${selection} } }`)
    expect(answer.errors?.[0]?.message).toMatch(/^query depth \d+ exceeds the limit of 12$/)
  })
})
