/**
 * The nightly schedules, run locally: the same EventBridge cron expressions as in AWS
 * (functions/contract/schedules.ts, via croner), on the local clock, calling the same job handlers.
 * When the clock jumps ahead, every run it passed over is run, one at a time, in the order of their
 * scheduled times across all jobs (Tuesday's backup retention before Wednesday's COP uploads), each with
 * its own scheduled time, as if the schedules had fired on time. Only past `maxCatchUp` runs of one job
 * (a jump of months) are the oldest skipped, and the skip is reported (`onSkip`, by default a warning
 * on stderr naming the job, how many runs, which dates, and why).
 *
 * Local-only schedules (`localSchedules`, e.g. the demo's nightly backup reports) share that one time
 * line: a backup reported at 02:00 is in the table before the 11:30 retention run of the same day looks.
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
  onRun?: (job: string, outcome: { summary?: unknown; error?: Error; time: string }) => void;
  /** The most runs of one job a single jump catches up; older ones are skipped and reported. @default 62 */
  maxCatchUp?: number;
  /** Told what a jump skipped. @default a warning on stderr */
  onSkip?: (job: string, skipped: SkippedRuns) => void;
  /** Schedules of the local runtime only (never deployed), run in the same order as the jobs. */
  localSchedules?: readonly LocalSchedule[];
}

export interface LocalSchedule {
  name: string;
  /** EventBridge form, UTC, like the jobs': `cron(0 2 * * ? *)`. */
  cron: string;
  run: JobRunner;
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
  readonly #timers = new Map<string, LocalTimer>();
  /** One run of a job at a time, as a Lambda with reserved concurrency 1 would do. */
  readonly #running = new Map<string, Promise<unknown>>();
  /** Scheduled runs due and not yet run, oldest first, across jobs. */
  #due: { job: string; at: DateTime }[] = [];
  /** Every schedule: the jobs' (from the contract) and the local ones. */
  readonly #schedules: Map<string, { cron: string; run: JobRunner }>;
  #draining = false;
  #stopped = false;

  constructor(options: LocalSchedulerOptions) {
    this.#options = options;
    this.#schedules = new Map([
      ...JOB_SCHEDULES.map((s) => [s.job, { cron: s.cron, run: options.jobs[s.job] }] as const),
      ...(options.localSchedules ?? []).map((s) => [s.name, { cron: s.cron, run: s.run }] as const),
    ]);
  }

  start(): void {
    for (const name of this.#schedules.keys()) this.#arm(name, this.#options.clock.now());
  }

  /** The next scheduled instants of every job, for the start banner. */
  nextRuns(): Record<JobName, string> {
    const from = this.#options.clock.now();
    return Object.fromEntries(
      JOB_SCHEDULES.map((s) => [s.job, this.#next(s.job, from).toISO() as string]),
    ) as Record<JobName, string>;
  }

  /** Whether scheduled runs are queued or running (after a clock jump, until the catch-up is done). */
  busy(): boolean {
    return this.#draining || this.#due.length > 0;
  }

  /** Runs a job now (or for `event.time`), waiting for a run in progress first. */
  run(job: JobName, event: { time?: string; [key: string]: unknown } = {}): Promise<unknown> {
    return this.#run(job, event);
  }

  #run(job: string, event: { time?: string; [key: string]: unknown }): Promise<unknown> {
    const previous = this.#running.get(job) ?? Promise.resolve();
    const time = event.time ?? (this.#options.clock.now().toISO() as string);
    const next = previous
      .catch(() => undefined)
      .then(() => (this.#schedules.get(job) as { run: JobRunner }).run({ ...event, time }))
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

  #next(job: string, after: DateTime): DateTime {
    const schedule = this.#schedules.get(job);
    if (!schedule) throw new Error(`no schedule for ${job}`);
    const cron = new Cron(toCronPattern(schedule.cron), { timezone: 'UTC', paused: true });
    const next = cron.nextRun(after.toJSDate());
    if (!next) throw new Error(`the schedule of ${job} never fires again`);
    return DateTime.fromJSDate(next, { zone: 'utc' });
  }

  #arm(job: string, after: DateTime): void {
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
  #fire(job: string, due: DateTime): void {
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
        await this.#run(next.job, { time: next.at.toISO() as string }).catch(() => undefined);
      }
    } finally {
      this.#draining = false;
    }
  }
}

function warnSkipped(job: string, skipped: SkippedRuns): void {
  console.warn(
    `[job] ${job}: skipped ${skipped.count} scheduled runs from ${skipped.first} to ${skipped.last} ` +
      `(${skipped.reason}); running from ${skipped.resumedAt} on.`,
  );
}
