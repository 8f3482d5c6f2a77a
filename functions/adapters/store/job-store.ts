/**
 * Job runs and their checkpoints: a run of a job for a run key (its UTC date) records how far it
 * got after each page, so a run killed half-way resumes there; the work itself is idempotent, so a
 * resumed or repeated run changes nothing twice.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documents, tableName } from '#adapters/clients.ts';

export interface JobRun {
  job: string;
  runKey: string;
  state: 'RUNNING' | 'FINISHED';
  /** Opaque position to resume from (e.g. a DynamoDB LastEvaluatedKey). */
  cursor?: Record<string, unknown>;
  counts: Record<string, number>;
  startedAt: string;
  updatedAt: string;
  finishedAt?: string;
}

const key = (job: string, runKey: string) => ({ pk: `JOB#${job}`, sk: `RUN#${runKey}` });

export async function readJobRun(job: string, runKey: string): Promise<JobRun | null> {
  const result = await documents.send(
    new GetCommand({ TableName: tableName(), Key: key(job, runKey), ConsistentRead: true }),
  );
  if (!result.Item) return null;
  const { pk: _pk, sk: _sk, entity: _entity, ...run } = result.Item;
  return run as JobRun;
}

export async function saveJobRun(run: JobRun): Promise<void> {
  await documents.send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...key(run.job, run.runKey), entity: 'jobRun', ...run },
    }),
  );
}
