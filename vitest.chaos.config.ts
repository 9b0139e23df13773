import { defineConfig } from 'vitest/config';

/**
 * The chaos suite (`npm run test:chaos`): real servers killed, cut off and flooded, one scenario
 * after another (they share the machine's cores and its PostgreSQL). `npm test` leaves it out.
 */
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
