/**
 * A local system that behaves like a real one across restarts: with kept data the clock resumes where it
 * was and refuses to go back, the inbox is kept, the demo epoch (and so the certificate expiries) stays
 * put; start-up reports its stages. In memory the clock may go back.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Runtime, RuntimeStartRefused, startRuntime } from '#local/runtime.ts';

const running: Runtime[] = [];
afterEach(async () => {
  for (const runtime of running.splice(0)) await runtime.stop();
});

async function start(options: Partial<Parameters<typeof startRuntime>[0]> = {}) {
  const runtime = await startRuntime({
    port: 0,
    clockSpeed: 0,
    schedules: false,
    retryScale: 0.05,
    ...options,
  });
  running.push(runtime);
  return runtime;
}

const moveClock = (runtime: Runtime, body: unknown) =>
  fetch(`${runtime.adminUrl}/clock`, { method: 'POST', body: JSON.stringify(body) });

const certificateExpiry = async (runtime: Runtime) => {
  const ops = runtime.keys.find((k) => k.role === 'ops')?.key as string;
  const answer = await fetch(`${runtime.baseUrl}/customers/globex`, { headers: { 'x-api-key': ops } });
  return ((await answer.json()) as { certificates: { expiresAt: string }[] }).certificates[0]?.expiresAt;
};

describe('with kept data', () => {
  it('resumes the clock, keeps the inbox and the demo epoch, and refuses to move the clock back', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'kept-')), 'dynamodb');
    const lines: string[] = [];
    const first = await start({
      dataDir,
      clockStart: '2026-11-23T15:00:00Z',
      onProgress: (l) => lines.push(l),
    });
    expect(lines.map((l) => l.replace(/\s+\d+\.\d s$/, '').trim())).toEqual([
      '✓ DynamoDB Local ready',
      '✓ mail store and inbox (kept)',
      '✓ table change-management',
      '✓ demo data (2 partners, 4 customers)',
      '✓ lifecycle workflow',
      '✓ API',
    ]);
    const ops = first.keys.find((k) => k.role === 'ops')?.key as string;
    const created = await fetch(`${first.baseUrl}/changes`, {
      method: 'POST',
      headers: { 'x-api-key': ops, 'content-type': 'application/json' },
      body: JSON.stringify({
        customerId: 'globex',
        partnerId: 'acme-voice',
        type: 'patch',
        title: 'Kept',
        disruptsCalling: false,
      }),
    });
    expect(created.status).toBe(201);
    await first.workflow.idle({ timeoutMs: 30_000 });
    expect(await moveClock(first, { advance: 'P20D' })).toHaveProperty('status', 200);
    await first.workflow.idle({ timeoutMs: 30_000 });
    const mails = (await first.mail.mails()).map((m) => m.subject).sort();
    expect(mails.length).toBeGreaterThanOrEqual(2);
    const expiry = await certificateExpiry(first);
    await first.stop();
    running.splice(0);

    const second = await start({ dataDir });
    expect(second.clockResumed).toBe(true);
    expect(second.clock.now().toISO()).toBe('2026-12-13T15:00:00.000Z');
    expect(second.demoEpoch).toBe(first.demoEpoch);
    expect(await certificateExpiry(second)).toBe(expiry);
    expect((await second.mail.mails()).map((m) => m.subject).sort()).toEqual(mails);

    const back = await moveClock(second, { set: '2026-12-01T00:00:00Z' });
    expect(back.status).toBe(400);
    expect(((await back.json()) as { message: string }).message).toMatch(
      /^the local clock only moves forward while the data is kept/,
    );
    expect((await moveClock(second, { advance: '-PT1H' })).status).toBe(400);
    expect(second.clock.now().toISO()).toBe('2026-12-13T15:00:00.000Z');
    await second.stop();
    running.splice(0);

    await expect(start({ dataDir, clockStart: '2026-12-01T00:00:00Z' })).rejects.toThrow(RuntimeStartRefused);
  });
});

describe('in memory', () => {
  it('lets the clock go back', async () => {
    const runtime = await start({ clockStart: '2026-11-23T15:00:00Z' });
    expect((await moveClock(runtime, { advance: '-PT1H' })).status).toBe(200);
    expect(runtime.clock.now().toISO()).toBe('2026-11-23T14:00:00.000Z');
    expect(runtime.clockResumed).toBe(false);
  });
});
