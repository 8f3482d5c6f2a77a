/**
 * Shared helpers of the API integration tests: request bodies with sensible defaults, typed views of
 * the contract's answers, refusal assertions and a direct look at the table (to prove that a refused
 * request wrote nothing). Not a test file itself (vitest only runs `*.test.ts`).
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import type { ApiResponse, TestApi } from '../support/api.ts';

/** Monday 2026-11-23, 10:00 in New York, 16:00 in Berlin, 00:00 (Tue) in Tokyo, 02:00 (Tue) in Sydney. */
export const MONDAY = '2026-11-23T15:00:00Z';

export interface WindowView {
  start: string;
  end: string;
  timezone: string;
  localStart: string;
  localEnd: string;
}

export interface HistoryView {
  at: string;
  event: string;
  actor: string;
  detail: Record<string, unknown>;
}

export interface ChangeView {
  changeId: string;
  partnerId: string;
  customerId: string;
  region: string;
  type: string;
  title: string;
  description?: string;
  disruptsCalling: boolean;
  emergency: boolean;
  urgent: boolean;
  status: string;
  window: WindowView;
  noticeSentAt?: string;
  replyBy?: string;
  rescheduleCutoff?: string;
  reschedulesRemaining: number;
  trigger?: string;
  targetVersion?: string;
  certificateExpiresAt?: string;
  reason?: string;
  customerImpact?: string;
  outcome?: string;
  history?: HistoryView[];
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface ChangeList {
  items: ChangeView[];
  nextToken?: string;
}

export interface ErrorBody {
  error: string;
  message: string;
  details?: { path: string; message: string }[];
}

/** A disruptive configuration change for globex (AMER, acme-voice) unless overridden. */
export function plannedBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    customerId: 'globex',
    partnerId: 'acme-voice',
    type: 'configuration',
    title: 'Dial plan update',
    disruptsCalling: true,
    ...overrides,
  };
}

/** An emergency for globex (AMER, acme-voice) that runs now, unless overridden. */
export function emergencyBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    customerId: 'globex',
    partnerId: 'acme-voice',
    reason: 'restore-service',
    customerImpact: 'Calls to the PSTN fail at the head office',
    title: 'Restore the SIP trunk',
    when: 'now',
    ...overrides,
  };
}

/** POST /changes as ops; fails the test unless it answers 201. */
export async function createPlanned(
  api: TestApi,
  overrides: Record<string, unknown> = {},
): Promise<ChangeView> {
  const response = await api.call<ChangeView>('POST', '/changes', { body: plannedBody(overrides) });
  expect(response.status, response.text).toBe(201);
  return response.body;
}

/** POST /changes/emergency as ops; fails the test unless it answers 201. */
export async function createEmergency(
  api: TestApi,
  overrides: Record<string, unknown> = {},
): Promise<ChangeView> {
  const response = await api.call<ChangeView>('POST', '/changes/emergency', {
    body: emergencyBody(overrides),
  });
  expect(response.status, response.text).toBe(201);
  return response.body;
}

/** GET /changes/{id} as ops (with history); fails the test unless it answers 200. */
export async function readChange(api: TestApi, changeId: string): Promise<ChangeView> {
  const response = await api.call<ChangeView>('GET', `/changes/${changeId}`);
  expect(response.status, response.text).toBe(200);
  return response.body;
}

/** Every change ops can list, following nextToken. */
export async function listAllChanges(api: TestApi, query = '', key = api.keys.ops): Promise<ChangeView[]> {
  const items: ChangeView[] = [];
  let nextToken: string | undefined;
  do {
    const params = new URLSearchParams(query);
    params.set('limit', '100');
    if (nextToken) params.set('nextToken', nextToken);
    const page = await api.call<ChangeList>('GET', `/changes?${params}`, { key });
    expect(page.status, page.text).toBe(200);
    items.push(...page.body.items);
    nextToken = page.body.nextToken;
  } while (nextToken);
  return items;
}

/** The contract's error shape with the expected status and code. */
export function expectRefusal(response: ApiResponse<unknown>, status: number, code: string): ErrorBody {
  expect(response.status, response.text).toBe(status);
  const body = response.body as ErrorBody;
  expect(body.error).toBe(code);
  expect(typeof body.message).toBe('string');
  expect(body.message).toMatch(/\S/);
  return body;
}

/** A 400 VALIDATION_FAILED whose details name exactly these fields (in any order). */
export function expectValidationFailed(response: ApiResponse<unknown>, fields: string[]): ErrorBody {
  const body = expectRefusal(response, 400, 'VALIDATION_FAILED');
  const named = [...new Set((body.details ?? []).map((detail) => detail.path))].sort();
  expect(named).toEqual([...fields].sort());
  for (const detail of body.details ?? []) expect(detail.message).toMatch(/\S/);
  return body;
}

/** Every item of the test's table, by key: compare two snapshots to prove nothing was written. */
export async function tableSnapshot(api: TestApi): Promise<Record<string, Record<string, unknown>>> {
  const items: Record<string, Record<string, unknown>> = {};
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await api.table.doc.send(
      new ScanCommand({ TableName: api.table.tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    for (const item of page.Items ?? []) items[`${String(item.pk)} | ${String(item.sk)}`] = item;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** How many items of an entity (change, history, capacity, backup ...) the table holds. */
export async function countItems(api: TestApi, entity: string): Promise<number> {
  return Object.values(await tableSnapshot(api)).filter((item) => item.entity === entity).length;
}

/** How many changes a window's capacity counter holds (0 when it has none yet). */
export async function windowUsage(api: TestApi, windowId: string): Promise<number> {
  const item = (await tableSnapshot(api))[`WINDOW#${windowId} | #CAPACITY`];
  return item ? Number(item.used) : 0;
}

/** The iCalendar's events as property maps (unfolded lines). */
export function vevents(ics: string): Record<string, string>[] {
  const lines = ics.replace(/\r?\n[ \t]/g, '').split(/\r?\n/);
  const events: Record<string, string>[] = [];
  let current: Record<string, string> | null = null;
  for (const line of lines) {
    if (line === 'BEGIN:VEVENT') current = {};
    else if (line === 'END:VEVENT' && current) {
      events.push(current);
      current = null;
    } else if (current) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).split(';')[0] as string;
      current[name] = line.slice(colon + 1);
    }
  }
  return events;
}
