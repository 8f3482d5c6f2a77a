/**
 * The nightly schedules, run locally: the same EventBridge cron expressions as in AWS
 * (functions/contract/schedules.ts, via croner), on the local clock, calling the same job handlers.
 * When the clock jumps ahead, every run it passed over is run, one at a time, in the order of their
 * scheduled times across all jobs (Tuesday's backup retention before Wednesday's COP uploads), each with
 * its own scheduled time, as if the schedules had fired on time. Only past `maxCatchUp` runs of one job
 * (a jump of months) are the oldest skipped, and the skip is reported (`onSkip`, by default a warning
 * on stderr naming the job, how many runs, which dates, and why).
 */
import { Cron } from 'croner';
import { DateTime } from 'luxon';
import { JOB_SCHEDULES, type JobName, toCronPattern } from '#contract/schedules.ts';
import type { LocalClock, LocalTimer } from './clock.ts';

export type JobRunner = (event: { time?: string; [key: string]: unknown }) => Promise<unknown>;

export interface LocalSchedulerOptions {
  clock: LocalClock;
  jobs: Record<JobName, JobRunner>;
  /** Called after every scheduled or on-demand run (for logging). */
  onRun?: (job: JobName, outcome: { summary?: unknown; error?: Error; time: string }) => void;
  /** The most runs of one job a single jump catches up; older ones are skipped and reported. @default 62 */
  maxCatchUp?: number;
  /** Told what a jump skipped. @default a warning on stderr */
  onSkip?: (job: JobName, skipped: SkippedRuns) => void;
}

export interface SkippedRuns {
  count: number;
  first: string;
  last: string;
  /** The first run that did run. */
  resumedAt: string;
  reason: string;
}

const DEFAULT_MAX_CATCH_UP = 62;

export class LocalScheduler {
  readonly #options: LocalSchedulerOptions;
  readonly #timers = new Map<JobName, LocalTimer>();
  /** One run of a job at a time, as a Lambda with reserved concurrency 1 would do. */
  readonly #running = new Map<JobName, Promise<unknown>>();
  /** Scheduled runs due and not yet run, oldest first, across jobs. */
  #due: { job: JobName; at: DateTime }[] = [];
  #draining = false;
  #stopped = false;

  constructor(options: LocalSchedulerOptions) {
    this.#options = options;
  }

  start(): void {
    for (const schedule of JOB_SCHEDULES) this.#arm(schedule.job, this.#options.clock.now());
  }

  /** The next scheduled instants of every job, for the start banner. */
  nextRuns(): Record<JobName, string> {
    const from = this.#options.clock.now();
    return Object.fromEntries(
      JOB_SCHEDULES.map((s) => [s.job, this.#next(s.job, from).toISO() as string]),
    ) as Record<JobName, string>;
  }

  /** Runs a job now (or for `event.time`), waiting for a run in progress first. */
  async run(job: JobName, event: { time?: string; [key: string]: unknown } = {}): Promise<unknown> {
    const previous = this.#running.get(job) ?? Promise.resolve();
    const time = event.time ?? (this.#options.clock.now().toISO() as string);
    const next = previous
      .catch(() => undefined)
      .then(() => this.#options.jobs[job]({ ...event, time }))
      .then(
        (summary) => {
          this.#options.onRun?.(job, { summary, time });
          return summary;
        },
        (error: Error) => {
          this.#options.onRun?.(job, { error, time });
          throw error;
        },
      );
    this.#running.set(job, next);
    return next;
  }

  stop(): void {
    this.#stopped = true;
    this.#due = [];
    for (const timer of this.#timers.values()) timer.cancel();
    this.#timers.clear();
  }

  #next(job: JobName, after: DateTime): DateTime {
    const schedule = JOB_SCHEDULES.find((s) => s.job === job);
    if (!schedule) throw new Error(`no schedule for ${job}`);
    const cron = new Cron(toCronPattern(schedule.cron), { timezone: 'UTC', paused: true });
    const next = cron.nextRun(after.toJSDate());
    if (!next) throw new Error(`the schedule of ${job} never fires again`);
    return DateTime.fromJSDate(next, { zone: 'utc' });
  }

  #arm(job: JobName, after: DateTime): void {
    if (this.#stopped) return;
    const due = this.#next(job, after);
    this.#timers.set(
      job,
      this.#options.clock.at(due, () => {
        this.#fire(job, due);
      }),
    );
  }

  /**
   * A job's timer fired: queue every occurrence from `due` to now and arm the next one. The clock fires
   * every timer a jump passes over before the queue starts draining, so all jobs' runs are queued before
   * the first one runs, and they run in time order.
   */
  #fire(job: JobName, due: DateTime): void {
    const occurrences: DateTime[] = [];
    const now = this.#options.clock.now();
    for (let at = due; at <= now; at = this.#next(job, at)) occurrences.push(at);
    const maxCatchUp = this.#options.maxCatchUp ?? DEFAULT_MAX_CATCH_UP;
    const skipped = occurrences.slice(0, Math.max(0, occurrences.length - maxCatchUp));
    const kept = occurrences.slice(skipped.length);
    if (skipped.length > 0) {
      const report: SkippedRuns = {
        count: skipped.length,
        first: skipped[0]!.toISO() as string,
        last: skipped.at(-1)!.toISO() as string,
        resumedAt: kept[0]!.toISO() as string,
        reason: `the clock jumped over ${occurrences.length} runs; one jump catches up at most the last ${maxCatchUp} of a job`,
      };
      (this.#options.onSkip ?? warnSkipped)(job, report);
    }
    this.#due.push(...kept.map((at) => ({ job, at })));
    this.#due.sort((x, y) => x.at.toMillis() - y.at.toMillis());
    this.#arm(job, occurrences.at(-1) ?? due);
    void this.#drain();
  }

  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      // Let every timer of the same jump queue its runs first.
      await new Promise((resolve) => setImmediate(resolve));
      for (let next = this.#due.shift(); next && !this.#stopped; next = this.#due.shift()) {
        await this.run(next.job, { time: next.at.toISO() as string }).catch(() => undefined);
      }
    } finally {
      this.#draining = false;
    }
  }
}

function warnSkipped(job: JobName, skipped: SkippedRuns): void {
  console.warn(
    `[job] ${job}: skipped ${skipped.count} scheduled runs from ${skipped.first} to ${skipped.last} ` +
      `(${skipped.reason}); running from ${skipped.resumedAt} on.`,
  );
}
