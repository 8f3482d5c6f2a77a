import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobName } from '#contract/schedules.ts';
import { LocalClock } from '#local/clock.ts';
import { LocalScheduler, type SkippedRuns } from '#local/scheduler.ts';

const clocks: LocalClock[] = [];
afterEach(() => {
  for (const clock of clocks.splice(0)) clock.stop();
});

function setUp(start: string, options: { maxCatchUp?: number } = {}) {
  const clock = new LocalClock({ start, speed: 0 });
  clocks.push(clock);
  const runs: { job: JobName; time: string }[] = [];
  const job = (name: JobName) => async (event: { time?: string }) => {
    runs.push({ job: name, time: event.time as string });
    return { ok: true };
  };
  const skips: { job: string; skipped: SkippedRuns }[] = [];
  const scheduler = new LocalScheduler({
    clock,
    ...options,
    onSkip: (job, skipped) => skips.push({ job, skipped }),
    jobs: {
      'backup-retention': job('backup-retention'),
      'cop-uploads': job('cop-uploads'),
      'certificate-scan': job('certificate-scan'),
      'release-scan': job('release-scan'),
    },
  });
  return { clock, runs, scheduler, skips };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the scheduled runs');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await settle();
}

describe('the local scheduler', () => {
  it('runs a local-only schedule on the same time line, before a later job of the same night', async () => {
    const clock = new LocalClock({ start: '2026-11-23T12:00:00Z', speed: 0 });
    clocks.push(clock);
    const order: string[] = [];
    const job = (name: string) => async (event: { time?: string }) => {
      // The report takes a while: the retention run must still come after it.
      if (name === 'reports') await new Promise((resolve) => setTimeout(resolve, 5));
      order.push(`${name} ${event.time}`);
    };
    const scheduler = new LocalScheduler({
      clock,
      jobs: {
        'backup-retention': job('backup-retention'),
        'cop-uploads': async () => undefined,
        'certificate-scan': async () => undefined,
        'release-scan': async () => undefined,
      },
      localSchedules: [{ name: 'reports', cron: 'cron(0 2 * * ? *)', run: job('reports') }],
    });
    scheduler.start();

    clock.set('2026-11-25T12:00:00Z');
    await until(() => order.length === 4);

    expect(order).toEqual([
      'reports 2026-11-24T02:00:00.000Z',
      'backup-retention 2026-11-24T11:30:00.000Z',
      'reports 2026-11-25T02:00:00.000Z',
      'backup-retention 2026-11-25T11:30:00.000Z',
    ]);
    scheduler.stop();
  });

  it('runs each job at its cron time on the local clock, with the scheduled time', async () => {
    // Prepare
    const { clock, runs, scheduler } = setUp('2026-11-23T00:30:00Z');
    scheduler.start();

    // Act: to 02:00 UTC: cop-uploads (01:00) and certificate-scan (02:00) are due
    clock.set('2026-11-23T02:00:00Z');
    await settle();

    // Assess
    expect(runs).toEqual([
      { job: 'cop-uploads', time: '2026-11-23T01:00:00.000Z' },
      { job: 'certificate-scan', time: '2026-11-23T02:00:00.000Z' },
    ]);
    scheduler.stop();
  });

  it('runs every nightly run an 11-day jump passes over, in time order across jobs', async () => {
    // Prepare
    const { clock, runs, scheduler, skips } = setUp('2026-11-23T12:00:00Z');
    scheduler.start();

    // Act
    clock.set('2026-12-04T12:00:00Z');
    await until(() => runs.length === 11 * 5);

    // Assess: each night of each job ran once with its own scheduled time, and no run is out of order
    const nights = Array.from({ length: 11 }, (_, i) =>
      DateTime.fromISO('2026-11-24T11:30:00Z', { zone: 'utc' }).plus({ days: i }).toISO(),
    );
    expect(runs.filter((r) => r.job === 'backup-retention').map((r) => r.time)).toEqual(nights);
    expect(runs.filter((r) => r.job === 'cop-uploads')).toHaveLength(22);
    expect(runs.map((r) => r.time)).toEqual(runs.map((r) => r.time).sort());
    expect(runs.slice(0, 5)).toEqual([
      { job: 'cop-uploads', time: '2026-11-23T13:00:00.000Z' },
      { job: 'cop-uploads', time: '2026-11-24T01:00:00.000Z' },
      { job: 'certificate-scan', time: '2026-11-24T02:00:00.000Z' },
      { job: 'release-scan', time: '2026-11-24T03:00:00.000Z' },
      { job: 'backup-retention', time: '2026-11-24T11:30:00.000Z' },
    ]);
    expect(skips).toEqual([]);
    scheduler.stop();
  });

  it('skips only past maxCatchUp runs of a job, oldest first, and says so', async () => {
    const { clock, runs, scheduler, skips } = setUp('2026-11-23T12:00:00Z', { maxCatchUp: 2 });
    scheduler.start();

    clock.set('2026-11-28T12:00:00Z');
    await until(() => runs.length === 4 * 2);

    expect(runs.filter((r) => r.job === 'backup-retention').map((r) => r.time)).toEqual([
      '2026-11-27T11:30:00.000Z',
      '2026-11-28T11:30:00.000Z',
    ]);
    expect(skips.find((s) => s.job === 'backup-retention')?.skipped).toEqual({
      count: 3,
      first: '2026-11-24T11:30:00.000Z',
      last: '2026-11-26T11:30:00.000Z',
      resumedAt: '2026-11-27T11:30:00.000Z',
      reason: 'the clock jumped over 5 runs; one jump catches up at most the last 2 of a job',
    });
    expect(skips.map((s) => s.job).sort()).toEqual([
      'backup-retention',
      'certificate-scan',
      'cop-uploads',
      'release-scan',
    ]);
    scheduler.stop();
  });

  it('runs a job on demand and returns its summary', async () => {
    const { runs, scheduler } = setUp('2026-11-23T12:00:00Z');
    await expect(scheduler.run('release-scan')).resolves.toEqual({ ok: true });
    expect(runs).toEqual([{ job: 'release-scan', time: '2026-11-23T12:00:00.000Z' }]);
  });

  it('names the next run of every job', () => {
    const { scheduler } = setUp('2026-11-23T12:00:00Z');
    expect(scheduler.nextRuns()).toEqual({
      'cop-uploads': '2026-11-23T13:00:00.000Z',
      'certificate-scan': '2026-11-24T02:00:00.000Z',
      'release-scan': '2026-11-24T03:00:00.000Z',
      'backup-retention': '2026-11-24T11:30:00.000Z',
    });
  });
});
