/**
 * The nightly schedules, run locally: the same EventBridge cron expressions as in AWS
 * (functions/jobs/schedules.ts, via croner), on the local clock, calling the same job handlers.
 * When the clock is moved ahead, missed runs are caught up in order (at most the last
 * `maxCatchUp` of each job), as if the schedules had fired on time.
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
  /** @default 3 */
  maxCatchUp?: number;
}

export class LocalScheduler {
  readonly #options: LocalSchedulerOptions;
  readonly #timers = new Map<JobName, LocalTimer>();
  /** One run of a job at a time, as a Lambda with reserved concurrency 1 would do. */
  readonly #running = new Map<JobName, Promise<unknown>>();
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
        void this.#fire(job, due);
      }),
    );
  }

  async #fire(job: JobName, due: DateTime): Promise<void> {
    // Every occurrence between `due` and now, oldest first, but no more than maxCatchUp of them.
    const occurrences: DateTime[] = [];
    const now = this.#options.clock.now();
    for (let at = due; at <= now; at = this.#next(job, at)) occurrences.push(at);
    const maxCatchUp = this.#options.maxCatchUp ?? 3;
    for (const at of occurrences.slice(-maxCatchUp)) {
      await this.run(job, { time: at.toISO() as string }).catch(() => undefined);
    }
    this.#arm(job, occurrences.at(-1) ?? due);
  }
}
