/**
 * What kind of mail a stored mail is, for the demo's and the tests' inbox counts: the notice it carries
 * (the `X-Notice` header the lifecycle sets, e.g. `reminder-24h@...` -> `notice: reminder`), a COP
 * outcome (`X-Cop-Request-Id`), or an alert to ops (`[P2] ...` to the ops alert address).
 */
import type { StoredMail } from './mail-store.ts';

export const OPS_ALERT_ADDRESS = 'ops-alerts@provider.example';

const ALERT_SUBJECTS: [RegExp, string][] = [
  [/^No good .* backup/, 'NO_GOOD_BACKUP'],
  [/^Certificate .* expires/, 'CERTIFICATE_AT_RISK'],
  [/^Nightly job .* crashed/, 'JOB_CRASHED'],
  [/^No outcome recorded/, 'OUTCOME_OVERDUE'],
  [/could not be mailed|not be delivered|gave up/i, 'NOTIFICATION_FAILED'],
];

export function mailKind(mail: StoredMail): string {
  const headers = mail.headers ?? {};
  const notice = headers['x-notice'];
  if (notice) return `notice: ${notice.split(/[^a-z]/)[0]}`;
  if (headers['x-cop-request-id']) return 'COP upload outcome';
  if (mail.to.includes(OPS_ALERT_ADDRESS)) {
    const [, priority = '?', subject = ''] = /^\[(P\d)\]\s*(.*)$/.exec(mail.subject) ?? [];
    const topic = ALERT_SUBJECTS.find(([pattern]) => pattern.test(subject))?.[1] ?? 'other';
    return `alert ${priority}: ${topic}`;
  }
  return 'other';
}

/** `{ kind: count }`, kinds in alphabetical order. */
export function countMailKinds(mails: readonly StoredMail[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of mails.map(mailKind).sort()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}
