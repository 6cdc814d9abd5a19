import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8'))

  it('runs PostgreSQL with a pg_isready health check', () => {
    const postgres = compose.services.postgres
    expect(postgres.image).toMatch(/^postgres:\d+/)
    expect(postgres.healthcheck.test.join(' ')).toContain('pg_isready')
  })

  it('starts revkube against that PostgreSQL only once it is healthy', () => {
    const revkube = compose.services.revkube
    expect(revkube.depends_on.postgres.condition).toBe('service_healthy')
    const url = new URL(revkube.environment.DATABASE_URL)
    const pg = compose.services.postgres.environment
    expect(url.hostname).toBe('postgres')
    expect(url.username).toBe(pg.POSTGRES_USER)
    expect(url.password).toBe(pg.POSTGRES_PASSWORD)
    expect(url.pathname).toBe(`/${pg.POSTGRES_DB}`)
    expect(revkube.environment.HOST).toBe('0.0.0.0')
    expect(revkube.ports).toContain(`${revkube.environment.PORT}:${revkube.environment.PORT}`)
  })

  it('builds revkube from the Dockerfile, which starts the server', () => {
    expect(compose.services.revkube.build).toBe('.')
    const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8')
    expect(dockerfile).toMatch(/^FROM node:20/m)
    expect(dockerfile).toMatch(/CMD \["node", "--import", "tsx", "services\/app\/main.ts"\]/)
  })
})
