/**
 * A nightly job's Lambda: the middleware chain of every Lambda (./lambda.ts), and the run's counts
 * published as CloudWatch metrics (Powertools Metrics in the embedded metric format: one log line per
 * run, no API call), one metric per count with the job as dimension, so a night that rejected, failed
 * to notify or skipped more than usual shows up on a graph and can be alarmed on. Locally and in the
 * tests they are off (POWERTOOLS_METRICS_DISABLED).
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { SERVICE_NAME } from '#contract/environment.ts';
import { lambdaHandler } from './lambda.ts';

export const jobMetrics = new Metrics({ namespace: SERVICE_NAME, serviceName: SERVICE_NAME });

interface JobRunSummary {
  job: string;
  counts: Record<string, number>;
}

export function jobLambda<Event, Summary extends JobRunSummary>(
  run: (event: Event) => Promise<Summary>,
): middy.MiddyfiedHandler<Event, Summary, Error, Context> {
  return lambdaHandler<Event, Summary>(async (event) => {
    const summary = await run(event);
    // Added and flushed in one synchronous step: runs in one process (locally) never mix their counts.
    jobMetrics.addDimension('job', summary.job);
    for (const [name, value] of Object.entries(summary.counts)) {
      jobMetrics.addMetric(name, MetricUnit.Count, value);
    }
    jobMetrics.publishStoredMetrics();
    return summary;
  });
}
