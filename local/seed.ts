/**
 * Seeds the demo data file into the table (idempotent: every item is a plain put, backup ids derive
 * from their night). Certificate expiries and the backup history are fixed relative to the demo epoch
 * (the instant the data was first seeded, kept with the data: local/local-state.ts), so they do not
 * shift on every start. After the epoch the runtime reports each night's backups as the clock passes
 * it (`recordDemoNight`, on the local scheduler); local/demo-backups.ts says what they report.
 */
import { readFileSync } from 'node:fs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DateTime } from 'luxon';
import * as z from 'zod';
import { backupItem } from '#adapters/dynamodb/backup-store.ts';
import type { DynamoDirectoryStore } from '#adapters/dynamodb/directory-store.ts';
import type { Table } from '#adapters/dynamodb/table.ts';
import { toUtcIso } from '#core/calendar.ts';
import { DEFAULT_POLICY } from '#core/policy.ts';
import { classifyBackups, type StoredRetention } from '#core/retention.ts';
import { REGIONS, UC_APPLICATIONS } from '#core/vocabulary.ts';
import { type BackupResult, demoBackupHistory, demoBackupNight } from './demo-backups.ts';

const contact = z.object({
  name: z.string().optional(),
  email: z.email(),
  subscriptions: z.array(z.string()).default([]),
});
const demoDataSchema = z.object({
  $comment: z.string().optional(),
  partners: z.array(z.object({ partnerId: z.string(), name: z.string(), contacts: z.array(contact) })).min(2),
  customers: z.array(
    z.object({
      customerId: z.string(),
      partnerId: z.string(),
      name: z.string(),
      region: z.enum(REGIONS),
      version: z.string(),
      sso: z.boolean(),
      contacts: z.array(z.object({ name: z.string().optional(), email: z.email() })),
      certificates: z.array(
        z.object({ certificateId: z.string(), commonName: z.string(), expiresInDays: z.number().int() }),
      ),
    }),
  ),
  backups: z
    .object({
      $comment: z.string().optional(),
      nights: z.number().int().min(0).max(60),
      seed: z.string().default('demo'),
      failureRate: z.number().min(0).max(1).default(0),
      failing: z.array(
        z.object({
          customerId: z.string(),
          application: z.enum(UC_APPLICATIONS),
          nights: z.number().int().min(1),
        }),
      ),
    })
    .default({ nights: 0, seed: 'demo', failureRate: 0, failing: [] }),
  apiKeys: z.array(
    z.discriminatedUnion('role', [
      z.object({ key: z.string().min(16), role: z.literal('ops'), name: z.string() }),
      z.object({
        key: z.string().min(16),
        role: z.literal('partner'),
        partnerId: z.string(),
        name: z.string(),
      }),
    ]),
  ),
});
export type DemoData = z.output<typeof demoDataSchema>;

export const DEMO_DATA_FILE = new URL('./demo-data.json', import.meta.url);

export function loadDemoData(file: URL | string = DEMO_DATA_FILE): DemoData {
  return demoDataSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** Where the seed writes: the directory store, and the table itself for the demo backups. */
export interface SeedTarget {
  stores: { directory: DynamoDirectoryStore };
  table: Table;
}

/**
 * `epoch`: the demo epoch; `now`: the clock (for the backups' retention classes; default the epoch).
 * `backups: false` leaves out the demo backup results (tests that count backups bring their own).
 */
export async function seed(
  target: SeedTarget,
  data: DemoData,
  epoch: DateTime,
  options: { backups?: boolean; now?: DateTime } = {},
): Promise<void> {
  const { directory } = target.stores;
  for (const partner of data.partners) await directory.putPartner(partner);
  for (const { certificates, ...customer } of data.customers) {
    await directory.putCustomer({
      ...customer,
      certificates: certificates.map((c) => ({
        certificateId: c.certificateId,
        commonName: c.commonName,
        expiresAt: toUtcIso(epoch.plus({ days: c.expiresInDays })),
      })),
    });
  }
  if (options.backups !== false) {
    const history = demoBackupHistory(data.backups, customerIds(data), epoch);
    await writeBackups(target.table, history, options.now ?? epoch);
  }
  for (const apiKey of data.apiKeys) {
    await directory.putApiKey(
      apiKey.key,
      apiKey.role === 'ops'
        ? { role: 'ops', name: apiKey.name }
        : { role: 'partner', partnerId: apiKey.partnerId, name: apiKey.name },
    );
  }
}

/**
 * One night's backup reports (02:00 UTC), as the demo's backup system makes them: the same ids and
 * results every time for the same night, so a re-run or a catch-up writes nothing twice.
 * `forcedFailures` (`customerId/application`) fail that night whatever the draw says.
 */
export async function recordDemoNight(
  target: SeedTarget,
  data: DemoData,
  night: DateTime,
  epoch: DateTime,
  forcedFailures: ReadonlySet<string> = new Set(),
): Promise<{ night: string; failed: string[] }> {
  const results = demoBackupNight(data.backups, customerIds(data), night, epoch, forcedFailures);
  await writeBackups(target.table, results, night);
  return {
    night: toUtcIso(night),
    failed: results.filter((r) => r.status === 'failed').map((r) => `${r.customerId}/${r.application}`),
  };
}

const customerIds = (data: DemoData) => data.customers.map((c) => c.customerId);

/** Stores results with their retention class at `now`, per application (the nightly job keeps it current). */
async function writeBackups(table: Table, results: readonly BackupResult[], now: DateTime): Promise<void> {
  const byApplication = Map.groupBy(results, (r) => `${r.customerId}/${r.application}`);
  for (const group of byApplication.values()) {
    const classes = new Map(classifyBackups(DEFAULT_POLICY, group, now).map((c) => [c.backupId, c]));
    for (const result of group) {
      const c = classes.get(result.backupId);
      const retention: StoredRetention = {
        retention: c?.retention ?? 'DATA_CENTRE',
        ...(c?.expiresAt ? { expiresAt: c.expiresAt } : {}),
      };
      await table.documents.send(
        new PutCommand({ TableName: table.name, Item: backupItem(result, retention) }),
      );
    }
  }
}
