/**
 * Every Lambda's bundle, built exactly as the CDK app builds it (infra/bundling.ts), stays under 1 MB:
 * the size is what a cold start loads and compiles (bench/cold-start.ts measures the time). A bundle
 * that grows past it fails here, naming the function, before it reaches a deploy.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaEntries } from '#infra/app.ts';
import { bundleLambda } from '#infra/bundling.ts';

/** 1 MB, decimal: the goal of issue 14 (and a round number to keep well under). */
const LIMIT_BYTES = 1_000_000;

const entries = lambdaEntries();
const sizes = new Map<string, number>();
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lambda-bundles-'));
  const unique = [...new Set(entries.map((e) => e.entry))];
  const built = await Promise.all(
    unique.map((entry, index) => bundleLambda(entry, join(dir, String(index)))),
  );
  for (const [index, entry] of unique.entries()) sizes.set(entry, built[index]?.bytes ?? Number.NaN);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Lambda bundles', () => {
  it('finds every Lambda of the app', () => {
    // Assess: the API's three route groups, the authorizer, the lifecycle, each nightly job.
    expect(entries.length).toBeGreaterThanOrEqual(9);
  });

  it.each(entries.map((e) => [e.path, e.entry]))('%s (%s) bundles under 1 MB', (_path, entry) => {
    // Assess
    const bytes = sizes.get(entry) ?? Number.NaN;
    expect(bytes, `${entry}: ${bytes} bytes`).toBeLessThan(LIMIT_BYTES);
  });
});
