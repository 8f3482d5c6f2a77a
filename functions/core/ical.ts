/**
 * iCalendar (RFC 5545) for changes, with `ical-generator`: the partner feed and the attachment of
 * scheduled-window notices. UID = changeId and SEQUENCE = the record's version, so a calendar client
 * that imported a change moves it when it is rescheduled instead of adding a second event.
 *
 * ical-generator escapes TEXT (backslash, semicolon, comma, CR/LF as `\n`) and folds content lines at
 * 75 octets without splitting a UTF-8 sequence. It passes every other character through, so the text
 * of a change is made safe here first (`icsText`): a bare CR would end the content line for some
 * readers, and RFC 5545 allows no control character in TEXT but HTAB.
 */
import ical, { ICalEventStatus } from 'ical-generator';
import type { ChangeRecord } from './change.ts';

const STATUS: Record<ChangeRecord['status'], ICalEventStatus> = {
  SCHEDULED: ICalEventStatus.TENTATIVE,
  CONFIRMED: ICalEventStatus.CONFIRMED,
  IN_PROGRESS: ICalEventStatus.CONFIRMED,
  COMPLETED: ICalEventStatus.CONFIRMED,
  FAILED: ICalEventStatus.CONFIRMED,
  ROLLED_BACK: ICalEventStatus.CONFIRMED,
  CANCELLED: ICalEventStatus.CANCELLED,
};

/** Every way text breaks a line: CRLF, a bare CR or LF, NEXT LINE, LINE and PARAGRAPH SEPARATOR. */
const LINE_BREAK = /\r\n|[\r\n\u0085\u2028\u2029]/gu;
/** The control characters left once line breaks are LF: C0 but LF, DEL, C1. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const OTHER_CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/gu;

/**
 * Text as RFC 5545 TEXT may carry it: every line break becomes LF (written `\n` by the generator), a
 * tab a space (the one control RFC 5545 would allow, but calendar clients show it inconsistently), and
 * every other control character is dropped. Lone surrogates become U+FFFD, as UTF-8 encoding would.
 */
export function icsText(text: string): string {
  return text.replace(LINE_BREAK, '\n').replaceAll('\t', ' ').replace(OTHER_CONTROL, '').toWellFormed();
}

function describe(change: ChangeRecord): string {
  const lines = [
    `${change.emergency ? 'Emergency' : 'Planned'} ${change.type} for customer ${change.customerId} (${change.region}).`,
    `Status: ${change.status}. Disrupts calling: ${change.disruptsCalling ? 'yes' : 'no'}.`,
    `Window: ${change.window.localStart} to ${change.window.localEnd} (${change.window.timezone}); ` +
      `${change.window.start} to ${change.window.end} UTC.`,
  ];
  if (change.rescheduleCutoff && change.reschedulesRemaining > 0) {
    lines.push(`It may be rescheduled once, until ${change.rescheduleCutoff} (UTC).`);
  }
  if (change.customerImpact) lines.push(`Customer impact: ${change.customerImpact}`);
  if (change.description) lines.push(change.description);
  return lines.join('\n');
}

export function changesToICalendar(changes: readonly ChangeRecord[], calendarName: string): string {
  const calendar = ical({
    name: icsText(calendarName),
    prodId: { company: 'change-management', product: 'partner-feed', language: 'EN' },
    // How often a subscribed client should fetch the feed again (X-PUBLISHED-TTL), in seconds.
    ttl: 60 * 60,
  });
  for (const change of changes) {
    calendar.createEvent({
      id: change.changeId,
      sequence: change.version,
      summary: icsText(`${change.emergency ? 'EMERGENCY: ' : ''}${change.title} (${change.customerId})`),
      description: icsText(describe(change)),
      start: new Date(change.window.start),
      end: new Date(change.window.end),
      status: STATUS[change.status],
      categories: [{ name: change.type }, { name: change.region }],
      // The record's last change, not the wall clock: the same change gives the same calendar.
      stamp: new Date(change.updatedAt),
    });
  }
  // Every content line ends with CRLF, the last one too (RFC 5545 3.1); the generator omits the last.
  const text = calendar.toString();
  return text.endsWith('\r\n') ? text : `${text}\r\n`;
}
