/** Lambda of the nightly cop-uploads job (functions/app/jobs/cop-uploads.ts), run by its schedule (contract/schedules.ts). */
import { type CopUploadsPorts, copUploads } from '#app/jobs/cop-uploads.ts';
import { type JobEvent, runJob } from '#app/jobs/run-job.ts';
import { jobLambda } from '#commons/job-lambda.ts';
import { onFirstCall } from '#commons/lazy.ts';
import { awsPorts, dynamoDb, eventBridge, rules, s3, ses, sns, stepFunctions } from '#wiring/aws.ts';

export const copUploadsJob = (ports: CopUploadsPorts) =>
  jobLambda((event: JobEvent) => runJob(ports, 'cop-uploads', copUploads, event));

export const handler = onFirstCall(() =>
  copUploadsJob(awsPorts('cop-uploads', rules, dynamoDb, ses, s3, stepFunctions, eventBridge, sns)),
);
