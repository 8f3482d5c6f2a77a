/**
 * What every nightly job shares: a run key (the UTC date of the scheduled time), resuming from the last
 * checkpoint of an unfinished run, progress logged, a summary with counts at the end, and a P1 alert
 * when a job crashes (rules section 11) before the error is rethrown for Lambda's retries.
 */
import { DateTime } from 'luxon';
import { raiseAlert } from '#app/alerts/raise-alert.ts';
import type { JobRun, PageCursor, Ports } from '#app/ports.ts';
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
  cursor?: PageCursor;
  counts: Record<string, number>;
  count(name: string, by?: number): void;
  /** Records progress so a crash resumes from here. */
  checkpoint(cursor: PageCursor | undefined): Promise<void>;
}

export interface JobSummary {
  job: JobName;
  runKey: string;
  resumed: boolean;
  startedAt: string;
  finishedAt: string;
  counts: Record<string, number>;
}

/** What the runner itself uses: the clock, its checkpoints, and alerts for a crash. */
export type JobPorts = Pick<Ports, 'clock' | 'jobRuns' | 'alerts' | 'pager' | 'policy'>;

/** What a job does, given its ports and its run. */
export type JobWork<P> = (ports: P, job: JobContext) => Promise<void>;

export async function runJob<P extends JobPorts>(
  ports: P,
  job: JobName,
  work: JobWork<P>,
  event: JobEvent = {},
): Promise<JobSummary> {
  const { clock, jobRuns } = ports;
  const at = event.time ? DateTime.fromISO(event.time, { zone: 'utc' }) : clock.now();
  if (!at.isValid) throw new RangeError(`the job event's time is not an ISO instant: ${String(event.time)}`);
  const runKey = at.toUTC().toISODate() as string;
  const previous = event.restart ? null : await jobRuns.read(job, runKey);
  const resumed = previous?.state === 'RUNNING';
  const run: JobRun = {
    job,
    runKey,
    state: 'RUNNING',
    counts: resumed ? { ...previous.counts } : {},
    startedAt: resumed ? previous.startedAt : toUtcIso(clock.now()),
    updatedAt: toUtcIso(clock.now()),
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
      run.updatedAt = toUtcIso(clock.now());
      await jobRuns.save(run);
      logger.info('job progress', { job, runKey, counts: run.counts });
    },
  };
  logger.info('job started', { job, runKey, resumed, at: toUtcIso(at) });
  try {
    await jobRuns.save(run);
    await work(ports, context);
  } catch (error) {
    logger.error('job crashed', { job, runKey, error: error as Error });
    await raiseAlert(ports, 'JOB_CRASHED', {
      raisedAt: clock.now(),
      subject: `Nightly job ${job} crashed (run ${runKey})`,
      detail: { job, runKey, error: (error as Error).message, counts: run.counts },
      dedupeKey: `JOB_CRASHED#${job}#${runKey}`,
    }).catch(() => undefined);
    throw error;
  }
  const finishedAt = toUtcIso(clock.now());
  await jobRuns.save({ ...run, state: 'FINISHED', finishedAt, updatedAt: finishedAt });
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
}

/** The listing position a resumed run left in its cursor (`{ lastKey }`), if any. */
export function startKeyOf(cursor: PageCursor | undefined): PageCursor | undefined {
  const lastKey = cursor?.lastKey;
  return lastKey && typeof lastKey === 'object' && !Array.isArray(lastKey)
    ? (lastKey as PageCursor)
    : undefined;
}
