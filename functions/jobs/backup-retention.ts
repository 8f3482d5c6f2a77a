/** Lambda of the nightly backup-retention job (functions/app/jobs/backup-retention.ts), run by its schedule (contract/schedules.ts). */
import { type BackupRetentionPorts, backupRetention } from '#app/jobs/backup-retention.ts';
import { type JobEvent, runJob } from '#app/jobs/run-job.ts';
import { jobLambda } from '#commons/job-lambda.ts';
import { onFirstCall } from '#commons/lazy.ts';
import { awsPorts, dynamoDb, rules, sns } from '#wiring/aws.ts';

export const backupRetentionJob = (ports: BackupRetentionPorts) =>
  jobLambda((event: JobEvent) => runJob(ports, 'backup-retention', backupRetention, event));

export const handler = onFirstCall(() =>
  backupRetentionJob(awsPorts('backup-retention', rules, dynamoDb, sns)),
);
