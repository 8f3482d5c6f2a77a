/**
 * Key shapes of the single table (see docs/data-model.md). Sort keys that order by time use
 * `Date.toISOString()` (always with milliseconds) so that text order is time order.
 */

import type { AlertStatus } from '#core/vocabulary.ts';

export const sortableInstant = (iso: string): string => new Date(iso).toISOString();

export const keys = {
  partner: (partnerId: string) => ({ pk: `PARTNER#${partnerId}`, sk: '#PARTNER' }),
  customer: (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: '#CUSTOMER' }),
  certificate: (customerId: string, certificateId: string) => ({
    pk: `CUSTOMER#${customerId}`,
    sk: `CERT#${certificateId}`,
  }),
  apiKey: (keyHash: string) => ({ pk: `APIKEY#${keyHash}`, sk: '#APIKEY' }),
  change: (changeId: string) => ({ pk: `CHANGE#${changeId}`, sk: '#CHANGE' }),
  /**
   * One history entry: ordered by the change's version it was committed at (commit order), then by its
   * instant, then by write order (`unique`), so concurrent writers never make it read out of order.
   */
  history: (changeId: string, version: number, at: string, unique: string) => ({
    pk: `CHANGE#${changeId}`,
    sk: `HISTORY#${String(version).padStart(10, '0')}#${sortableInstant(at)}#${unique}`,
  }),
  /** The ledger entry of one notice of a change: claimed, then SENT or FAILED, never sent twice. */
  notice: (changeId: string, noticeKey: string) => ({ pk: `CHANGE#${changeId}`, sk: `NOTICE#${noticeKey}` }),
  /** Where the parked workflow's task token waits for a decision. */
  waitToken: (changeId: string) => ({ pk: `CHANGE#${changeId}`, sk: 'WAIT' }),
  windowCapacity: (windowId: string) => ({ pk: `WINDOW#${windowId}`, sk: '#CAPACITY' }),
  idempotency: (scope: string, keyHash: string) => ({
    pk: `IDEMPOTENCY#${scope}#${keyHash}`,
    sk: '#IDEMPOTENCY',
  }),
  /** A customer's backup records: one partition. */
  backups: (customerId: string) => ({ pk: `BACKUPS#${customerId}` }),
  backup: (customerId: string, application: string, takenAt: string, backupId: string) => ({
    pk: `BACKUPS#${customerId}`,
    sk: `${application}#${sortableInstant(takenAt)}#${backupId}`,
  }),
  copRequest: (requestId: string) => ({ pk: `COP#${requestId}`, sk: '#COP' }),
  /** The ledger entry of a COP request's outcome notice, beside the request. */
  copNotice: (requestId: string) => ({ pk: `COP#${requestId}`, sk: 'NOTICE#OUTCOME' }),
  alert: (alertId: string) => ({ pk: `ALERT#${alertId}`, sk: '#ALERT' }),
  jobRun: (job: string, runKey: string) => ({ pk: `JOB#${job}`, sk: `RUN#${runKey}` }),
};

/** Index keys: which listing an item appears in. */
export const indexKeys = {
  partnerCustomers: (partnerId: string, customerId: string) => ({
    gsi1pk: `PARTNER#${partnerId}#CUSTOMERS`,
    gsi1sk: customerId,
  }),
  allCustomers: (customerId: string) => ({ gsi2pk: 'CUSTOMERS', gsi2sk: customerId }),
  certificatesByExpiry: (expiresAt: string, customerId: string, certificateId: string) => ({
    gsi2pk: 'CERTIFICATES',
    gsi2sk: `${sortableInstant(expiresAt)}#${customerId}#${certificateId}`,
  }),
  changeListings: (change: {
    changeId: string;
    partnerId: string;
    customerId: string;
    windowStart: string;
  }) => {
    const byStart = `${sortableInstant(change.windowStart)}#${change.changeId}`;
    return {
      gsi1pk: `PARTNER#${change.partnerId}#CHANGES`,
      gsi1sk: byStart,
      gsi2pk: 'CHANGES',
      gsi2sk: byStart,
      gsi3pk: `CUSTOMER#${change.customerId}#CHANGES`,
      gsi3sk: byStart,
    };
  },
  partnerCopRequests: (partnerId: string, createdAt: string, requestId: string) => ({
    gsi1pk: `PARTNER#${partnerId}#COPS`,
    gsi1sk: `${sortableInstant(createdAt)}#${requestId}`,
  }),
  pendingCopRequests: (createdAt: string, requestId: string) => ({
    gsi2pk: 'COPS#PENDING',
    gsi2sk: `${sortableInstant(createdAt)}#${requestId}`,
  }),
  /** While a COP request's outcome notice is owed, oldest settlement first. */
  owedCopNotices: (settledAt: string, requestId: string) => ({
    gsi2pk: 'COPS#NOTIFY',
    gsi2sk: `${sortableInstant(settledAt)}#${requestId}`,
  }),
  alertsByStatus: (status: AlertStatus, raisedAt: string, alertId: string) => ({
    gsi2pk: `ALERTS#${status}`,
    gsi2sk: `${sortableInstant(raisedAt)}#${alertId}`,
  }),
};

/** Fields that are keys, not data: stripped before a record leaves the store. */
const KEY_FIELDS = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'ttl', 'entity'];

export function withoutKeys<T>(item: Record<string, unknown>): T {
  const copy: Record<string, unknown> = { ...item };
  for (const field of KEY_FIELDS) delete copy[field];
  return copy as T;
}
