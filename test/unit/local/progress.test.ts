import { describe, expect, it } from 'vitest';
import { progress } from '#local/progress.ts';

describe('start-up progress', () => {
  it('reports each stage as it finishes, with its duration, and passes its result on', async () => {
    const lines: string[] = [];
    const p = progress((line) => lines.push(line));
    const value = await p.step('DynamoDB Local ready', async () => {
      await new Promise((resolve) => setTimeout(resolve, 120));
      return 42;
    });
    expect(value).toBe(42);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ {2}✓ DynamoDB Local ready\s+0\.[1-9] s$/);
  });

  it('reports a failed stage and rethrows its error', async () => {
    const lines: string[] = [];
    await expect(
      progress((line) => lines.push(line)).step('inbox', () => Promise.reject(new Error('port taken'))),
    ).rejects.toThrow('port taken');
    expect(lines[0]).toMatch(/^ {2}✗ inbox\s+0\.0 s {2}\(failed\)$/);
  });
});
