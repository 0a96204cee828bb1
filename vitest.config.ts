import { defineConfig } from 'vitest/config';

// Unit tests: beside the code (src/**/x.test.ts) and Node-side suites under test/node.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/node/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    pool: 'forks',
  },
});
