/**
 * `cmm jobs list|run`: the nightly jobs of the local runtime, through its admin routes
 * (`GET /local/jobs`, `POST /local/jobs/<job>`). In AWS the jobs run on their EventBridge schedules.
 */
import { Argument, Command } from 'commander';
import { JOB_NAMES } from '#contract/schedules.ts';
import { admin } from '../client.ts';
import { fields, table } from '../output.ts';
import { type CommandContext, session } from '../session.ts';
import { parse } from '../usage.ts';

interface JobSummary {
  job: string;
  runKey: string;
  resumed?: boolean;
  counts?: Record<string, number>;
}

export const describeJobRun = (summary: JobSummary) =>
  fields([
    ['job', summary.job],
    ['run', summary.runKey],
    ['resumed', summary.resumed ? 'yes, from its checkpoint' : undefined],
    ...Object.entries(summary.counts ?? {}).map(([name, n]): [string, unknown] => [`  ${name}`, n]),
  ]);

/** `jobs run`, shared with `npm run job` (local/run-job.ts). */
export function jobRunCommand(context: CommandContext, name = 'run'): Command {
  return new Command(name)
    .description('run a nightly job now in the local runtime and print its summary')
    .addArgument(new Argument('<job>', 'the job').choices(JOB_NAMES))
    .option('--time <instant>', "the job's scheduled time (default: now on the local clock)", parse.instant)
    .option('--restart', 'ignore the checkpoint of an unfinished run of the same day')
    .action(async (job: string, options, command: Command) => {
      const s = session(command, context);
      const summary = await admin<JobSummary>(s.connection, 'POST', `/jobs/${job}`, {
        ...(options.time ? { time: options.time } : {}),
        ...(options.restart ? { restart: true } : {}),
      });
      s.print(summary, describeJobRun);
    });
}

export function jobsCommand(context: CommandContext): Command {
  const jobs = new Command('jobs').description('the nightly jobs of the local runtime');
  jobs
    .command('list')
    .description('each job and its next scheduled run on the local clock')
    .action(async (_options, command: Command) => {
      const s = session(command, context);
      const answer = await admin<{ nextRuns: Record<string, string> }>(s.connection, 'GET', '/jobs');
      s.print(answer, (a) =>
        table(Object.entries(a.nextRuns), [
          ['JOB', ([job]) => job],
          ['NEXT RUN (local clock)', ([, at]) => at],
        ]),
      );
    });
  jobs.addCommand(jobRunCommand(context));
  return jobs;
}
