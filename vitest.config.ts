import { defineConfig } from 'vitest/config'

/**
 * The tests that time the server under attack (/livez within a second while an attack runs) or
 * bound its memory: they run after the rest, one file at a time, so what they measure is the
 * server under attack and not the machine busy with other test files.
 */
const ALONE = [
  'test/processes/soak.test.ts',
  'test/processes/front-door-memory.test.ts',
  'test/graphql/patch-attacks.test.ts',
  'test/graphql/inflight-limit.test.ts',
  'test/auth/authenticate-first.test.ts',
  'test/auth/time-travel-reads.test.ts',
  'test/cli/unified-diff.test.ts',
]

/**
 * Tests that run the same on either backend because they bring their own embedded database or are
 * clients only: the CLI's commands, output and exit codes, the README's walkthrough (it serves from a
 * PGlite data folder whatever DATABASE_URL says), the docs' and TSDoc's examples. The GraphQL and
 * store tests cover both backends, so with DATABASE_URL set these are not run a second time. The
 * CLI's export and import, which do touch PostgreSQL, still are.
 */
const EMBEDDED_ONLY = [
  'test/cli/commands.test.ts',
  'test/cli/create.test.ts',
  'test/cli/validate.test.ts',
  'test/cli/replay.test.ts',
  'test/project/readme.test.ts',
  'test/project/docs.test.ts',
  'test/project/tsdoc-examples.test.ts',
  // Real kubectl and @kubernetes/client-node against the REST API: a layer above the store, which
  // test/rest/rest-api.test.ts covers on both backends.
  'test/rest/kubectl.test.ts',
  'test/rest/client-node.test.ts',
]
const onPostgres = Boolean(process.env.DATABASE_URL)

const shared = {
  setupFiles: ['test/support/fast-check-seed.ts'],
  // Servers the tests start as processes open no secure port unless a test asks for one: several
  // run at once, and 6443 is one port. Tests of the secure listener pass their own.
  env: { REVKUBE_SECURE_PORT: '0' },
  testTimeout: 60_000,
  hookTimeout: 60_000,
  pool: 'forks' as const,
}

export default defineConfig({
  resolve: {
    // graphql 16 ships CommonJS (main) and ESM (module) copies. Node loads the CommonJS one for
    // graphql-yoga; Vite would pick the ESM one for our files. Two copies break instanceof
    // checks ("Cannot use GraphQLObjectType from another module or realm"), so use Node's.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    projects: [
      {
        extends: true,
        // Two cores: more workers only make the embedded database and PostgreSQL fight for them.
        test: {
          ...shared,
          name: 'suite',
          include: ['test/**/*.test.ts'],
          exclude: [...ALONE, ...(onPostgres ? EMBEDDED_ONLY : [])],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { ...shared, name: 'alone', include: ALONE, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
})
