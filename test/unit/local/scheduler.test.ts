import { afterEach, describe, expect, it } from 'vitest';
import type { JobName } from '#contract/schedules.ts';
import { LocalClock } from '#local/clock.ts';
import { LocalScheduler } from '#local/scheduler.ts';

const clocks: LocalClock[] = [];
afterEach(() => {
  for (const clock of clocks.splice(0)) clock.stop();
});

function setUp(start: string) {
  const clock = new LocalClock({ start, speed: 0 });
  clocks.push(clock);
  const runs: { job: JobName; time: string }[] = [];
  const job = (name: JobName) => async (event: { time?: string }) => {
    runs.push({ job: name, time: event.time as string });
    return { ok: true };
  };
  const scheduler = new LocalScheduler({
    clock,
    jobs: {
      'backup-retention': job('backup-retention'),
      'cop-uploads': job('cop-uploads'),
      'certificate-scan': job('certificate-scan'),
      'release-scan': job('release-scan'),
    },
  });
  return { clock, runs, scheduler };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('the local scheduler', () => {
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

  it('catches up missed nights in order, at most three per job', async () => {
    const { clock, runs, scheduler } = setUp('2026-11-23T12:00:00Z');
    scheduler.start();

    clock.set('2026-11-28T12:00:00Z');
    await settle();

    expect(runs.filter((r) => r.job === 'backup-retention').map((r) => r.time)).toEqual([
      '2026-11-26T11:30:00.000Z',
      '2026-11-27T11:30:00.000Z',
      '2026-11-28T11:30:00.000Z',
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
