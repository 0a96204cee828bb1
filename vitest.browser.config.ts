import { defineConfig } from 'vitest/config';

// Real-browser suite: the built extension loaded into Debian's Chromium (and Firefox ESR).
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
