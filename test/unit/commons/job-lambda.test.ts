/** A nightly job's Lambda publishes its run's counts as CloudWatch metrics (embedded metric format). */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { jobLambda, jobMetrics } from '#commons/job-lambda.ts';
import { lambdaContext } from '#local/lambda-context.ts';

/** Powertools keeps the switch in a field it reads from POWERTOOLS_METRICS_DISABLED when it is made. */
const switchable = jobMetrics as unknown as { disabled: boolean };
const wasDisabled = switchable.disabled;

afterEach(() => {
  vi.restoreAllMocks();
  switchable.disabled = wasDisabled;
});

describe('jobLambda', () => {
  it('publishes one Count metric per count of the run, with the job as dimension, and answers the summary', async () => {
    // Prepare: metrics on for this test (the tests switch them off), their EMF line captured.
    switchable.disabled = false;
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const summary = { job: 'cop-uploads', counts: { uploaded: 2, notifyFailed: 1 } };
    const handler = jobLambda(async () => summary);

    // Act
    const answer = await handler({}, lambdaContext('cop-uploads'));

    // Assess
    expect(answer).toBe(summary);
    const emf = lines.filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line))[0];
    expect(emf).toMatchObject({
      job: 'cop-uploads',
      uploaded: 2,
      notifyFailed: 1,
      service: 'change-management',
    });
    expect(emf._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'change-management',
      Dimensions: [expect.arrayContaining(['service', 'job'])],
      Metrics: expect.arrayContaining([
        { Name: 'uploaded', Unit: 'Count' },
        { Name: 'notifyFailed', Unit: 'Count' },
      ]),
    });
  });
});
