import { defineConfig } from 'vitest/config';

// Powertools reads its settings from the environment: in tests the logger logs errors only, and the
// jobs' metrics (CloudWatch's embedded format, printed) are off.
const env = { LOG_LEVEL: process.env.LOG_LEVEL ?? 'ERROR', POWERTOOLS_METRICS_DISABLED: 'true' };

// Three projects, one command: unit (pure core, handlers with mocked clients, CDK assertions),
// integration (real DynamoDB Local) and e2e (the local runtime end to end).
export default defineConfig({
  test: {
    reporters: process.env.CI_JSON
      ? ['default', ['json', { outputFile: '.vitest-results.json' }]]
      : ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          env,
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 60_000,
          // CDK assertion tests synthesize in beforeAll: on a loaded 2-core machine that took over 10 s.
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          env,
          include: ['test/integration/**/*.test.ts'],
          // One DynamoDB Local for the run; each test file creates its own table (test/integration/support/table.ts).
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          env,
          include: ['test/e2e/**/*.test.ts'],
          // Each file runs the whole local runtime (its own DynamoDB Local, mail store, clock, workflow).
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
