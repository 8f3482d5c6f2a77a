/**
 * When the nightly jobs run: defined once, as data. The CDK app turns each entry into an
 * EventBridge rule (cron in UTC) targeting the job's Lambda; the local runtime's scheduler reads the
 * same expressions (through `toCronPattern`) and runs the same handlers on the local clock.
 */

export const JOB_NAMES = ['backup-retention', 'cop-uploads', 'certificate-scan', 'release-scan'] as const;
export type JobName = (typeof JOB_NAMES)[number];

export interface JobSchedule {
  readonly job: JobName;
  /** EventBridge schedule expression, UTC: cron(minutes hours day-of-month month day-of-week year). */
  readonly cron: string;
  readonly description: string;
  /** Handler file of the job's Lambda. */
  readonly entry: string;
}

export const JOB_SCHEDULES: readonly JobSchedule[] = [
  {
    job: 'cop-uploads',
    // Every night at 01:00 UTC, and again at 13:00 UTC so a request never waits a whole day.
    cron: 'cron(0 1,13 * * ? *)',
    description: 'Upload requested COP files to customers SFTP servers, or reject them with the reason',
    entry: 'functions/jobs/cop-uploads.ts',
  },
  {
    job: 'certificate-scan',
    cron: 'cron(0 2 * * ? *)',
    description: 'Schedule certificate renewals 7 to 3 days before expiry, with full notice',
    entry: 'functions/jobs/certificate-scan.ts',
  },
  {
    job: 'release-scan',
    cron: 'cron(0 3 * * ? *)',
    description: 'Schedule upgrades for customers on n-1 or n-2 releases',
    entry: 'functions/jobs/release-scan.ts',
  },
  {
    job: 'backup-retention',
    // After the last region's backup night has ended (06:00 in the Americas is 11:00 UTC).
    cron: 'cron(30 11 * * ? *)',
    description: 'Classify backups, expire what is due, alert on a night without a good backup',
    entry: 'functions/jobs/backup-retention.ts',
  },
];

/**
 * The EventBridge expression as a standard 5-field cron pattern for croner:
 * `cron(0 1,13 * * ? *)` -> `0 1,13 * * *`. EventBridge's `?` means "any" and its year field is
 * dropped (these schedules run every year); day-of-week names/numbers are the same in both.
 */
export function toCronPattern(expression: string): string {
  const match = /^cron\((.+)\)$/.exec(expression.trim());
  if (!match) throw new Error(`not an EventBridge cron expression: ${expression}`);
  const fields = (match[1] as string).trim().split(/\s+/);
  if (fields.length !== 6)
    throw new Error(`an EventBridge cron has 6 fields, got ${fields.length}: ${expression}`);
  if (fields[5] !== '*') throw new Error(`a year other than * is not supported locally: ${expression}`);
  return fields
    .slice(0, 5)
    .map((field) => (field === '?' ? '*' : field))
    .join(' ');
}
