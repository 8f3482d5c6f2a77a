/**
 * What a person finds in a notice, checked the way a person (or a calendar client) reads it:
 * recipients, subject, the window stated in the region's local time with the zone name and in UTC,
 * and the iCalendar attachment (UID, DTSTART/DTEND in UTC, SEQUENCE, STATUS). Also small readers of
 * a change's history. Expectations are computed independently of the code under test (luxon here,
 * a hand-written ICS reader), so a wrong format in functions/core/notices.ts or ical.ts shows.
 */
import { DateTime } from 'luxon';
import { expect } from 'vitest';
import type { StoredMail } from '#local/mail-store.ts';
import type { System } from './system.ts';

export const ADDRESSES = {
  acmeNoc: 'noc@acme-voice.example',
  acmeBilling: 'billing@acme-voice.example',
  globexIt: 'it@globex.example',
  initechIt: 'it@initech.example',
  pacificOps: 'ops@pacific-telecom.example',
  umbrellaIt: 'it@umbrella.example',
  opsAlerts: 'ops-alerts@provider.example',
} as const;

export interface WindowView {
  start: string;
  end: string;
  timezone: string;
  localStart: string;
  localEnd: string;
}

export interface HistoryEntry {
  at: string;
  event: string;
  actor: string;
  detail: Record<string, unknown>;
}

export type ChangeView = Record<string, unknown> & {
  changeId: string;
  status: string;
  version: number;
  window: WindowView;
  replyBy?: string;
  rescheduleCutoff?: string;
  reschedulesRemaining: number;
  history: HistoryEntry[];
};

/** GET /changes/{id} as ops, typed. */
export async function readChange(system: System, changeId: string): Promise<ChangeView> {
  const response = await system.call<ChangeView>('GET', `/changes/${changeId}`);
  expect(response.status).toBe(200);
  return response.body;
}

/** The history's event names, in order. */
export function eventsOf(change: ChangeView): string[] {
  return change.history.map((entry) => entry.event);
}

/** History entries of one event. */
export function entriesOf(change: ChangeView, event: string): HistoryEntry[] {
  return change.history.filter((entry) => entry.event === event);
}

/** `2026-12-09T02:00:00Z` plus `{ hours: -24 }` as an ISO instant (UTC, no milliseconds). */
export function shift(
  iso: string,
  by: { days?: number; hours?: number; minutes?: number; seconds?: number },
) {
  return DateTime.fromISO(iso, { zone: 'utc' })
    .plus(by)
    .toISO({ suppressMilliseconds: true })
    ?.replace('+00:00', 'Z') as string;
}

/** The notices about one change (their subject starts with `[changeId]`), oldest first; alerts left out. */
export async function mailsOf(system: System, changeId: string): Promise<StoredMail[]> {
  return (await system.mails({ changeId })).filter((mail) => mail.subject.startsWith(`[${changeId}] `));
}

// ---- iCalendar ----

export interface IcsEvent {
  [property: string]: string;
}

export interface Ics {
  properties: Record<string, string>;
  events: IcsEvent[];
}

/**
 * A minimal RFC 5545 reader: unfolds continuation lines (CRLF + space or tab), drops parameters
 * from property names (`DTSTART;VALUE=DATE` -> `DTSTART`), collects VCALENDAR and VEVENT properties.
 */
export function parseIcs(text: string): Ics {
  const lines = text.replace(/\r?\n[ \t]/g, '').split(/\r?\n/);
  const properties: Record<string, string> = {};
  const events: IcsEvent[] = [];
  let current: IcsEvent | undefined;
  for (const line of lines) {
    if (line === 'BEGIN:VEVENT') {
      current = {};
      continue;
    }
    if (line === 'END:VEVENT') {
      if (current) events.push(current);
      current = undefined;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = (line.slice(0, colon).split(';')[0] as string).toUpperCase();
    const value = line.slice(colon + 1);
    if (current) current[name] = value;
    else properties[name] = value;
  }
  return { properties, events };
}

/** The calendar attachment of a mail, parsed; fails the test when there is none. */
export function icsOf(mail: StoredMail): Ics {
  const attachment = mail.attachments.find((a) => a.contentType.startsWith('text/calendar'));
  expect(attachment, `a calendar attachment in "${mail.subject}"`).toBeDefined();
  return parseIcs((attachment as { content: string }).content);
}

/** `2026-12-09T02:00:00Z` -> `20261209T020000Z` (an iCalendar UTC date-time). */
export function icsUtc(iso: string): string {
  return DateTime.fromISO(iso, { zone: 'utc' }).toFormat("yyyyLLdd'T'HHmmss'Z'");
}

// ---- the window as a person reads it ----

/** "8 December 2026 21:00" in the window's zone (the notice also names the weekday and the offset). */
export function localWallClock(iso: string, zone: string): string {
  return DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).toFormat('d LLLL yyyy HH:mm');
}

/** "2026-12-09 02:00 UTC". */
export function utcWallClock(iso: string): string {
  return `${DateTime.fromISO(iso, { zone: 'utc' }).toFormat('yyyy-LL-dd HH:mm')} UTC`;
}

/**
 * The notice states the window in the region's local time, naming the zone, and in UTC; the local
 * and UTC lines are the ones the notice labels as such.
 */
export function expectWindowStated(mail: StoredMail, window: WindowView): void {
  const localLine = mail.text.split('\n').find((line) => line.startsWith('Window (local time):'));
  const utcLine = mail.text.split('\n').find((line) => line.startsWith('Window (UTC):'));
  expect(localLine, `a local-time window line in "${mail.subject}"`).toBeDefined();
  expect(utcLine, `a UTC window line in "${mail.subject}"`).toBeDefined();
  expect(localLine).toContain(localWallClock(window.start, window.timezone));
  expect(localLine).toContain(localWallClock(window.end, window.timezone));
  expect(localLine).toContain(`(${window.timezone})`);
  expect(utcLine).toContain(utcWallClock(window.start));
  expect(utcLine).toContain(utcWallClock(window.end));
  // The HTML part says the same.
  expect(mail.html).toContain(localWallClock(window.start, window.timezone));
  expect(mail.html).toContain(utcWallClock(window.start));
}

export interface ExpectedNotice {
  changeId: string;
  /** The subject after the `[changeId] ` prefix. */
  subject: string;
  to: string[];
  cc: string[];
  /** The window the notice must state (omit for notices that state none, e.g. the outcome). */
  window?: WindowView;
  /** The calendar attachment's expectations; `false` = no attachment. */
  ics?: { status: string; minSequence?: number } | false;
}

/** Checks one mail as its reader would; returns the parsed VEVENT when there is one. */
export function expectNotice(mail: StoredMail, expected: ExpectedNotice): IcsEvent | undefined {
  expect(mail.subject).toBe(`[${expected.changeId}] ${expected.subject}`);
  expect([...mail.to].sort()).toEqual([...expected.to].sort());
  expect([...mail.cc].sort()).toEqual([...expected.cc].sort());
  if (expected.window) expectWindowStated(mail, expected.window);
  if (expected.ics === false) {
    expect(mail.attachments.filter((a) => a.contentType.startsWith('text/calendar'))).toEqual([]);
    return undefined;
  }
  if (!expected.ics) return undefined;
  const calendar = icsOf(mail);
  expect(calendar.events).toHaveLength(1);
  const event = calendar.events[0] as IcsEvent;
  expect(event.UID).toBe(expected.changeId);
  if (expected.window) {
    expect(event.DTSTART).toBe(icsUtc(expected.window.start));
    expect(event.DTEND).toBe(icsUtc(expected.window.end));
  }
  expect(event.DTSTART).toMatch(/^\d{8}T\d{6}Z$/);
  expect(event.DTEND).toMatch(/^\d{8}T\d{6}Z$/);
  expect(event.STATUS).toBe(expected.ics.status);
  if (expected.ics.minSequence !== undefined) {
    expect(Number(event.SEQUENCE)).toBeGreaterThanOrEqual(expected.ics.minSequence);
  }
  return event;
}

/** The subjects of the mails about a change, without the `[changeId] ` prefix. */
export function subjectsOf(mails: StoredMail[], changeId: string): string[] {
  return mails.map((mail) => mail.subject.replace(`[${changeId}] `, ''));
}

/** Finds the one mail whose subject (after the prefix) starts with `prefix`; fails when not exactly one. */
export function oneMail(mails: StoredMail[], changeId: string, prefix: string): StoredMail {
  const found = mails.filter((mail) => mail.subject.startsWith(`[${changeId}] ${prefix}`));
  expect(
    found.map((m) => m.subject),
    `exactly one "${prefix}" mail`,
  ).toHaveLength(1);
  return found[0] as StoredMail;
}

/** Planned notices: the partner's maintenance subscribers, the customer's contacts in copy. */
export const GLOBEX_PLANNED = { to: [ADDRESSES.acmeNoc], cc: [ADDRESSES.globexIt] };
