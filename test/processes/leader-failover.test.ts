import { afterAll, describe, expect, it } from 'vitest'
import { spawnTs, type Child } from '../support/process.js'
import { databaseUrl, dropSchema, uniqueSchema } from '../support/store.js'
import { waitFor } from '../support/wait.js'

const schema = uniqueSchema('failover')
const children: Child[] = []
afterAll(async () => {
  for (const c of children) if (c.process.exitCode === null) c.process.kill('SIGKILL')
  await Promise.all(children.map((c) => c.exited))
  if (databaseUrl) await dropSchema(databaseUrl, schema)
})

function server(): Child {
  const child = spawnTs('services/app/main.ts', [], {
    DATABASE_URL: databaseUrl!,
    REVKUBE_DB_SCHEMA: schema,
    REVKUBE_SIM_NODES: '3',
    PORT: '0',
    LOG_FORMAT: 'json',
    REVKUBE_AUTH: 'none',
  })
  children.push(child)
  return child
}

async function urlOf(child: Child): Promise<string> {
  await waitFor(() => child.stderr().includes('revkube is serving'), 'the server to start', 30_000)
  const line = child
    .stderr()
    .split('\n')
    .find((l) => l.includes('revkube is serving'))!
  return `${JSON.parse(line).url}/graphql`
}

async function gql(url: string, query: string, variables?: Record<string, unknown>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-remote-user': 'ops' },
    body: JSON.stringify({ query, variables }),
  })
  const body = (await response.json()) as { data?: any; errors?: unknown[] }
  if (body.errors) throw new Error(JSON.stringify(body.errors))
  return body.data
}

const deployment = (image: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 3
  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}, annotations: {sim.revkube.io/startup-seconds: "1"}}
    spec: {containers: [{name: app, image: ${image}}]}
`

const PODS = `{ objects(kind: "pods", labelSelector: "app=web") { edges { node { ... on Pod { ready images metadata { deletionTimestamp } } } } } }`

describe.runIf(databaseUrl)('leader failover between two revkube processes', () => {
  it('lets the other process finish a rollout when the leader is killed mid-way', async () => {
    const first = server()
    const firstUrl = await urlOf(first)
    await waitFor(() => first.stderr().includes('leading'), 'the first process to lead', 30_000)
    const second = server()
    const secondUrl = await urlOf(second)
    expect(second.stderr()).not.toContain('"leading')

    await gql(firstUrl, 'mutation($m: String!) { apply(manifest: $m) { kind } }', { m: deployment('nginx:1.25') })
    const live = async (url: string) =>
      (await gql(url, PODS)).objects.edges.map((e: any) => e.node).filter((p: any) => !p.metadata.deletionTimestamp)
    const rolledTo = async (url: string, image: string) => {
      const pods = await live(url)
      return pods.length === 3 && pods.every((p: any) => p.ready && p.images[0] === image)
    }
    const deadline = Date.now() + 60_000
    while (!(await rolledTo(secondUrl, 'nginx:1.25'))) {
      if (Date.now() > deadline) throw new Error('the first rollout did not finish')
      await new Promise((r) => setTimeout(r, 200))
    }

    await gql(secondUrl, 'mutation($m: String!) { apply(manifest: $m) { kind } }', { m: deployment('nginx:1.26') })
    // Kill the leader as soon as the rollout has begun.
    await waitFor(async () => (await live(secondUrl)).some((p: any) => p.images[0] === 'nginx:1.26'), 'the rollout to begin', 30_000)
    first.process.kill('SIGKILL')
    await first.exited

    await waitFor(() => second.stderr().includes('leading'), 'the second process to take over', 30_000)
    const end = Date.now() + 90_000
    while (!(await rolledTo(secondUrl, 'nginx:1.26'))) {
      if (Date.now() > end) throw new Error('the rollout was not finished by the new leader')
      await new Promise((r) => setTimeout(r, 250))
    }
  })
})
