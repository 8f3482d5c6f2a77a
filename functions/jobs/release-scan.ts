/** Lambda of the nightly release-scan job (functions/app/jobs/release-scan.ts), run by its schedule (contract/schedules.ts). */
import { type ReleaseScanPorts, releaseScan } from '#app/jobs/release-scan.ts';
import { type JobEvent, runJob } from '#app/jobs/run-job.ts';
import { jobLambda } from '#commons/job-lambda.ts';
import { onFirstCall } from '#commons/lazy.ts';
import { awsPorts, dynamoDb, eventBridge, rules, sns, stepFunctions } from '#wiring/aws.ts';

export const releaseScanJob = (ports: ReleaseScanPorts) =>
  jobLambda((event: JobEvent) => runJob(ports, 'release-scan', releaseScan, event));

export const handler = onFirstCall(() =>
  releaseScanJob(awsPorts('release-scan', rules, dynamoDb, stepFunctions, eventBridge, sns)),
);
