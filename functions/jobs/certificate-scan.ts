/** Lambda of the nightly certificate-scan job (functions/app/jobs/certificate-scan.ts), run by its schedule (contract/schedules.ts). */
import { type CertificateScanPorts, certificateScan } from '#app/jobs/certificate-scan.ts';
import { type JobEvent, runJob } from '#app/jobs/run-job.ts';
import { jobLambda } from '#commons/job-lambda.ts';
import { onFirstCall } from '#commons/lazy.ts';
import { awsPorts, dynamoDb, eventBridge, rules, sns, stepFunctions } from '#wiring/aws.ts';

export const certificateScanJob = (ports: CertificateScanPorts) =>
  jobLambda((event: JobEvent) => runJob(ports, 'certificate-scan', certificateScan, event));

export const handler = onFirstCall(() =>
  certificateScanJob(awsPorts('certificate-scan', rules, dynamoDb, stepFunctions, eventBridge, sns)),
);
