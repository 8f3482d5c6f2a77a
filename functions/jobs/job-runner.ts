/**
 * What every nightly job shares: a run key (the UTC date of the scheduled time), resuming from the
 * last checkpoint of an unfinished run, progress logged, a summary with counts at the end, and a P1
 * alert when a job crashes (rules section 11) before the error is rethrown for Lambda's retries.
 */
import { DateTime } from 'luxon';
import { raiseAlert } from '#adapters/alerts.ts';
import { now } from '#adapters/clock.ts';
import { type JobRun, readJobRun, saveJobRun } from '#adapters/store/job-store.ts';
import { logger } from '#commons/logger.ts';
import type { JobName } from '#contract/schedules.ts';
import { toUtcIso } from '#core/calendar.ts';

/** The EventBridge scheduled event (its `time`), or a manual run (`{}` or `{ time, restart }`). */
export interface JobEvent {
  time?: string;
  /** Ignore the checkpoint of an unfinished run of the same day and start from the beginning. */
  restart?: boolean;
  [key: string]: unknown;
}

export interface JobContext {
  job: JobName;
  runKey: string;
  /** The scheduled time (or now): the instant the job's rules are evaluated at. */
  at: DateTime;
  event: JobEvent;
  /** Where a resumed run starts from. */
  cursor?: Record<string, unknown>;
  counts: Record<string, number>;
  count(name: string, by?: number): void;
  /** Records progress so a crash resumes from here. */
  checkpoint(cursor: Record<string, unknown> | undefined): Promise<void>;
}

export interface JobSummary {
  job: JobName;
  runKey: string;
  resumed: boolean;
  startedAt: string;
  finishedAt: string;
  counts: Record<string, number>;
}

export function jobHandler(job: JobName, work: (context: JobContext) => Promise<void>) {
  return async (event: JobEvent = {}): Promise<JobSummary> => {
    const at = event.time ? DateTime.fromISO(event.time, { zone: 'utc' }) : now();
    if (!at.isValid)
      throw new RangeError(`the job event's time is not an ISO instant: ${String(event.time)}`);
    const runKey = at.toUTC().toISODate() as string;
    const previous = event.restart ? null : await readJobRun(job, runKey);
    const resumed = previous?.state === 'RUNNING';
    const run: JobRun = {
      job,
      runKey,
      state: 'RUNNING',
      counts: resumed ? { ...previous.counts } : {},
      startedAt: resumed ? previous.startedAt : toUtcIso(now()),
      updatedAt: toUtcIso(now()),
      ...(resumed && previous.cursor ? { cursor: previous.cursor } : {}),
    };
    const context: JobContext = {
      job,
      runKey,
      at,
      event,
      ...(run.cursor ? { cursor: run.cursor } : {}),
      counts: run.counts,
      count(name, by = 1) {
        run.counts[name] = (run.counts[name] ?? 0) + by;
      },
      async checkpoint(cursor) {
        run.cursor = cursor;
        run.updatedAt = toUtcIso(now());
        await saveJobRun(run);
        logger.info('job progress', { job, runKey, counts: run.counts });
      },
    };
    logger.info('job started', { job, runKey, resumed, at: toUtcIso(at) });
    try {
      await saveJobRun(run);
      await work(context);
    } catch (error) {
      logger.error('job crashed', { job, runKey, error: error as Error });
      await raiseAlert('JOB_CRASHED', {
        raisedAt: now(),
        subject: `Nightly job ${job} crashed (run ${runKey})`,
        detail: { job, runKey, error: (error as Error).message, counts: run.counts },
        dedupeKey: `JOB_CRASHED#${job}#${runKey}`,
      }).catch(() => undefined);
      throw error;
    }
    const finishedAt = toUtcIso(now());
    await saveJobRun({ ...run, state: 'FINISHED', finishedAt, updatedAt: finishedAt });
    const summary: JobSummary = {
      job,
      runKey,
      resumed,
      startedAt: run.startedAt,
      finishedAt,
      counts: run.counts,
    };
    logger.info('job finished', { ...summary });
    return summary;
  };
}

/** The DynamoDB start key a resumed run left in its cursor (`{ lastKey }`), if any. */
export function startKeyOf(cursor: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const lastKey = cursor?.lastKey;
  return lastKey && typeof lastKey === 'object' && !Array.isArray(lastKey)
    ? (lastKey as Record<string, unknown>)
    : undefined;
}
