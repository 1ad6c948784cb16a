import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // test/terminate.test.ts checks with global.gc() that a terminated cache lets its memory go
    execArgv: ['--expose-gc'],
  },
});
