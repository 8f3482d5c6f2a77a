/**
 * The notices people receive about a change: who gets them, the subject, a plain-text and an HTML
 * body, and an iCalendar attachment for a scheduled window. Windows are always stated in the
 * region's local time and in UTC (rules section 3). Decisions are never links: the notice tells the
 * partner which authenticated API call acknowledges or reschedules.
 */
import { DateTime } from 'luxon';
import type { ChangeRecord } from './change.ts';
import { changesToICalendar } from './ical.ts';
import type { NoticeKind } from './vocabulary.ts';

export const MAINTENANCE_SUBSCRIPTION = 'maintenance-and-outages';

export interface NoticeParty {
  partner: {
    partnerId: string;
    name: string;
    contacts: { name?: string; email: string; subscriptions: string[] }[];
  };
  customer: { customerId: string; name: string; sso: boolean; contacts: { name?: string; email: string }[] };
}

export interface Notice {
  kind: NoticeKind;
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html: string;
  ics?: string;
}

const unique = (emails: string[]) => [...new Set(emails.map((e) => e.trim().toLowerCase()))].filter(Boolean);

/**
 * Planned notices go to the partner's maintenance-and-outages subscribers, with the customer's
 * contacts in copy; an emergency goes to the whole communications list (every partner contact
 * and the customer's contacts).
 */
export function recipientsOf(kind: NoticeKind, party: NoticeParty): { to: string[]; cc: string[] } {
  const partnerContacts =
    kind === 'emergency'
      ? party.partner.contacts
      : party.partner.contacts.filter((c) => c.subscriptions.includes(MAINTENANCE_SUBSCRIPTION));
  const to = unique(partnerContacts.map((c) => c.email));
  const cc = unique(party.customer.contacts.map((c) => c.email)).filter((email) => !to.includes(email));
  return { to, cc };
}

function local(iso: string, zone: string): string {
  return DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).toFormat("cccc d LLLL yyyy HH:mm 'UTC'ZZ");
}

function utc(iso: string): string {
  return DateTime.fromISO(iso, { zone: 'utc' }).toFormat("yyyy-LL-dd HH:mm 'UTC'");
}

/** "Monday 7 December 2026 21:00 UTC-05:00 to ... (America/New_York); 2026-12-08 02:00 UTC to ..." */
export function describeWindow(change: ChangeRecord): { local: string; utc: string } {
  const { window } = change;
  return {
    local: `${local(window.start, window.timezone)} to ${local(window.end, window.timezone)} (${window.timezone})`,
    utc: `${utc(window.start)} to ${utc(window.end)}`,
  };
}

const SSO_STEPS = [
  'Disable single sign-on (SSO) for the customer.',
  "Re-import the identity provider's (IdP) metadata file.",
  'Re-enable SSO.',
  'Validate SSO: sign in with a test user and confirm the login succeeds.',
];

function needsSsoSteps(change: ChangeRecord, party: NoticeParty): boolean {
  return change.type === 'certificate-renewal' && party.customer.sso;
}

const TITLES: Record<NoticeKind, (c: ChangeRecord) => string> = {
  scheduled: (c) => `Scheduled maintenance: ${c.title}`,
  rescheduled: (c) => `Maintenance rescheduled: ${c.title}`,
  reminder: (c) => `Reminder: maintenance ${c.title}`,
  started: (c) => `Maintenance started: ${c.title}`,
  emergency: (c) => `EMERGENCY maintenance: ${c.title}`,
  outcome: (c) =>
    c.status === 'COMPLETED'
      ? c.type === 'upgrade'
        ? `Upgrade completed: ${c.title}`
        : `Maintenance completed: ${c.title}`
      : c.status === 'ROLLED_BACK'
        ? `Maintenance rolled back: ${c.title}`
        : `Maintenance failed: ${c.title}`,
  cancelled: (c) => `Maintenance cancelled: ${c.title}`,
};

function rescheduleRights(change: ChangeRecord): string {
  if (change.reschedulesRemaining <= 0 || !change.rescheduleCutoff)
    return 'This change cannot be rescheduled (again).';
  const times = change.reschedulesRemaining === 1 ? 'once more' : `${change.reschedulesRemaining} more times`;
  return `It may be rescheduled ${times}; a request must arrive by ${utc(change.rescheduleCutoff)}.`;
}

function paragraphs(kind: NoticeKind, change: ChangeRecord, party: NoticeParty): string[] {
  const window = describeWindow(change);
  const who = `${party.customer.name} (${change.customerId}, region ${change.region})`;
  const windowLines = [`Window (local time): ${window.local}`, `Window (UTC): ${window.utc}`];
  const api = `/v1/changes/${change.changeId}`;
  const out: string[] = [];
  switch (kind) {
    case 'scheduled':
      out.push(`We have scheduled ${change.type} work for ${who}.`, ...windowLines);
      out.push(
        change.disruptsCalling
          ? 'Calling may be disrupted during the window.'
          : 'This is routine work that is not expected to disrupt calling.',
      );
      if (change.replyBy) {
        out.push(
          `If the date conflicts with the customer's business, please answer by ${utc(change.replyBy)}: ` +
            `acknowledge with POST ${api}/acknowledge, or reschedule once with POST ${api}/reschedule ` +
            '(authenticated with your API key). Without an answer by then, the change is confirmed.',
        );
      }
      out.push(rescheduleRights(change));
      break;
    case 'rescheduled':
      out.push(`The ${change.type} work for ${who} has moved to a new window, as requested.`, ...windowLines);
      out.push(rescheduleRights(change));
      break;
    case 'reminder':
      out.push(`Reminder: ${change.type} work for ${who} starts soon.`, ...windowLines);
      break;
    case 'started':
      out.push(`The ${change.type} work for ${who} has started.`, ...windowLines);
      break;
    case 'emergency':
      out.push(
        `We are performing emergency ${change.type} work for ${who}.`,
        `Reason: ${(change.reason ?? '').replaceAll('-', ' ')}.`,
        `Expected customer impact: ${change.customerImpact ?? 'not stated'}`,
        change.when === 'now'
          ? 'The work has started now.'
          : 'The work will run in the next maintenance window.',
        ...windowLines,
      );
      break;
    case 'outcome':
      if (change.status === 'COMPLETED') {
        out.push(
          change.type === 'upgrade'
            ? `Upgrade completion notice: the upgrade of ${who}${change.targetVersion ? ` to ${change.targetVersion}` : ''} has been completed successfully.`
            : `The ${change.type} work for ${who} has been completed successfully.`,
        );
      } else if (change.status === 'ROLLED_BACK') {
        out.push(
          `The ${change.type} work for ${who} did not succeed and was rolled back to the previous state.`,
        );
      } else {
        out.push(`The ${change.type} work for ${who} failed.`);
      }
      if (change.outcomeNotes) out.push(`Notes from operations: ${change.outcomeNotes}`);
      break;
    case 'cancelled':
      out.push(
        `The ${change.type} work for ${who} has been cancelled and will not take place.`,
        ...windowLines,
      );
      if (change.cancelReason) out.push(`Reason: ${change.cancelReason}`);
      break;
  }
  if (change.description && kind !== 'outcome') out.push(change.description);
  return out;
}

function ssoSection(kind: NoticeKind, change: ChangeRecord, party: NoticeParty): string[] {
  if (!needsSsoSteps(change, party)) return [];
  if (kind === 'outcome' && change.status !== 'COMPLETED') return [];
  if (!['scheduled', 'rescheduled', 'reminder', 'outcome'].includes(kind)) return [];
  const lead =
    kind === 'outcome'
      ? 'The certificate has been renewed. Because the customer uses single sign-on, please now:'
      : 'Because the customer uses single sign-on, after the renewal you must:';
  return [lead, ...SSO_STEPS.map((step, i) => `  ${i + 1}. ${step}`)];
}

const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

export function composeNotice(kind: NoticeKind, change: ChangeRecord, party: NoticeParty): Notice {
  const { to, cc } = recipientsOf(kind, party);
  const subject = `[${change.changeId}] ${TITLES[kind](change)}`;
  const body = paragraphs(kind, change, party);
  const sso = ssoSection(kind, change, party);
  const footer = `Change ${change.changeId} - ${party.partner.name}`;
  const text = [
    `Dear ${party.partner.name},`,
    '',
    ...body.flatMap((p) => [p, '']),
    ...sso,
    '',
    footer,
    '',
  ].join('\n');
  const html = [
    '<!doctype html><html><body>',
    `<p>Dear ${escapeHtml(party.partner.name)},</p>`,
    ...body.map((p) => `<p>${escapeHtml(p)}</p>`),
    ...(sso.length > 0
      ? [
          `<p>${escapeHtml(sso[0] as string)}</p><ol>`,
          ...SSO_STEPS.map((step) => `<li>${escapeHtml(step)}</li>`),
          '</ol>',
        ]
      : []),
    `<p style="color:#666">${escapeHtml(footer)}</p>`,
    '</body></html>',
  ].join('\n');
  const withCalendar = ['scheduled', 'rescheduled', 'reminder', 'emergency', 'cancelled'].includes(kind);
  return {
    kind,
    to,
    cc,
    subject,
    text,
    html,
    ...(withCalendar ? { ics: changesToICalendar([change], `Maintenance ${change.changeId}`) } : {}),
  };
}
