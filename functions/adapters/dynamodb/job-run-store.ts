/**
 * Job runs and their checkpoints: a run of a job for a run key (its UTC date) records how far it got
 * after each page, so a run killed half-way resumes there.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { JobRun, JobRunStore } from '#app/ports.ts';
import { keys, withoutKeys } from './keys.ts';
import type { Table } from './table.ts';

export class DynamoJobRunStore implements JobRunStore {
  constructor(private readonly table: Table) {}

  async read(job: string, runKey: string): Promise<JobRun | null> {
    const result = await this.table.documents.send(
      new GetCommand({ TableName: this.table.name, Key: keys.jobRun(job, runKey), ConsistentRead: true }),
    );
    return result.Item ? withoutKeys<JobRun>(result.Item) : null;
  }

  async save(run: JobRun): Promise<void> {
    await this.table.documents.send(
      new PutCommand({
        TableName: this.table.name,
        Item: { ...keys.jobRun(run.job, run.runKey), entity: 'jobRun', ...run },
      }),
    );
  }
}
