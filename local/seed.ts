/**
 * Seeds the demo data file into the table (idempotent: every item is a plain put). Certificate
 * expiries are written relative to the runtime's clock so the demo always has one coming due.
 */
import { readFileSync } from 'node:fs';
import type { DateTime } from 'luxon';
import * as z from 'zod';
import { putApiKey, putCustomer, putPartner } from '../functions/adapters/store/directory-store.ts';
import { toUtcIso } from '../functions/core/calendar.ts';
import { REGIONS } from '../functions/core/policy.ts';

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

export async function seed(data: DemoData, now: DateTime): Promise<void> {
  for (const partner of data.partners) await putPartner(partner);
  for (const { certificates, ...customer } of data.customers) {
    await putCustomer({
      ...customer,
      certificates: certificates.map((c) => ({
        certificateId: c.certificateId,
        commonName: c.commonName,
        expiresAt: toUtcIso(now.plus({ days: c.expiresInDays })),
      })),
    });
  }
  for (const apiKey of data.apiKeys) {
    await putApiKey(
      apiKey.key,
      apiKey.role === 'ops'
        ? { role: 'ops', name: apiKey.name }
        : { role: 'partner', partnerId: apiKey.partnerId, name: apiKey.name },
    );
  }
}
