/**
 * Seeds the demo data file into the table (idempotent: every item is a plain put). Certificate
 * expiries are written relative to the runtime's clock so the demo always has one coming due.
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
      failing: z.array(
        z.object({
          customerId: z.string(),
          application: z.enum(UC_APPLICATIONS),
          nights: z.number().int().min(1),
        }),
      ),
    })
    .default({ nights: 0, failing: [] }),
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

/** `backups: false` leaves out the demo backup results (tests that count backups bring their own). */
export async function seed(
  target: SeedTarget,
  data: DemoData,
  now: DateTime,
  options: { backups?: boolean } = {},
): Promise<void> {
  const { directory } = target.stores;
  for (const partner of data.partners) await directory.putPartner(partner);
  for (const { certificates, ...customer } of data.customers) {
    await directory.putCustomer({
      ...customer,
      certificates: certificates.map((c) => ({
        certificateId: c.certificateId,
        commonName: c.commonName,
        expiresAt: toUtcIso(now.plus({ days: c.expiresInDays })),
      })),
    });
  }
  if (options.backups !== false) await seedBackups(target.table, data, now);
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
 * Backup results for the nights before `now` (02:00 UTC each night), with deterministic ids so a
 * restart on kept data writes the same items again instead of adding more.
 */
async function seedBackups(table: Table, data: DemoData, now: DateTime): Promise<void> {
  // The most recent 02:00 UTC at or before now is the last night backed up.
  const today = now.toUTC().set({ hour: 2, minute: 0, second: 0, millisecond: 0 });
  const lastNight = today > now ? today.minus({ days: 1 }) : today;
  for (const customer of data.customers) {
    for (const application of UC_APPLICATIONS) {
      const failing = data.backups.failing.find(
        (f) => f.customerId === customer.customerId && f.application === application,
      );
      const results = Array.from({ length: data.backups.nights }, (_, i) => {
        const night = data.backups.nights - i;
        const takenAt = toUtcIso(lastNight.minus({ days: night - 1 }));
        return {
          backupId: `bkp_demo_${customer.customerId}_${application}_${takenAt.slice(0, 10)}`,
          customerId: customer.customerId,
          application,
          takenAt,
          status: failing && night <= failing.nights ? ('failed' as const) : ('succeeded' as const),
          sizeBytes: 250_000_000,
          recordedAt: takenAt,
        };
      });
      const classes = new Map(classifyBackups(DEFAULT_POLICY, results, now).map((c) => [c.backupId, c]));
      for (const result of results) {
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
}
