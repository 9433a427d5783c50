import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // One file at a time: the accuracy test compares reported durations with independent
    // measurements, and files running beside it (some spawn processes) would steal its core.
    fileParallelism: false,
  },
});
