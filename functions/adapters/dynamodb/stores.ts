/** Every port kept in the single table, built on one table (the AWS and the local wiring both use this). */
import { DynamoAlertStore } from './alert-store.ts';
import { DynamoBackupStore } from './backup-store.ts';
import { DynamoChangeStore } from './change-store.ts';
import { DynamoCopRequestStore } from './cop-request-store.ts';
import { DynamoDirectoryStore } from './directory-store.ts';
import { DynamoIdempotencyStore } from './idempotency-store.ts';
import { DynamoJobRunStore } from './job-run-store.ts';
import { DynamoNoticeLedger } from './notice-ledger.ts';
import type { Table } from './table.ts';
import { DynamoWaitTokenStore } from './wait-token-store.ts';

export function dynamoStores(table: Table) {
  return {
    changes: new DynamoChangeStore(table),
    waitTokens: new DynamoWaitTokenStore(table),
    noticeLedger: new DynamoNoticeLedger(table),
    directory: new DynamoDirectoryStore(table),
    backups: new DynamoBackupStore(table),
    copRequests: new DynamoCopRequestStore(table),
    alerts: new DynamoAlertStore(table),
    jobRuns: new DynamoJobRunStore(table),
    idempotency: new DynamoIdempotencyStore(table),
  };
}

export type DynamoStores = ReturnType<typeof dynamoStores>;
