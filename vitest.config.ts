import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// One database per run (PGlite snapshot or a fresh PostgreSQL database, see test/global-setup.ts),
// shared by every test file in a worker: tests isolate themselves by building their own
// workspace, so no truncation and no ordering between files.
export default defineConfig({
  resolve: {
    // graphql 16 ships CommonJS (main) and ESM (module) builds without an exports map. Node
    // loads the CommonJS one for dependencies; Vite would give our sources the ESM one, and
    // two copies break `instanceof GraphQLError`. Pin everyone to the copy Node loads.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    // Keep module state (the open database, the built schema) across files in a worker.
    isolate: false,
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
