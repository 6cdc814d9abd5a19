import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: {
    // graphql 16 ships CommonJS (main) and ESM (module) copies. Node loads the CommonJS one for
    // graphql-yoga; Vite would pick the ESM one for our files. Two copies break instanceof
    // checks ("Cannot use GraphQLObjectType from another module or realm"), so use Node's.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/fast-check-seed.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: more workers only make the embedded database and PostgreSQL fight for them.
    maxWorkers: 2,
  },
})
