/**
 * iCalendar (RFC 5545) for changes, with the `ics` library: the partner feed and the attachment of
 * scheduled-window notices. UID = changeId and SEQUENCE = the record's version, so a calendar client
 * that imported a change moves it when it is rescheduled instead of adding a second event.
 */
import { createEvents, type EventAttributes } from 'ics';
import type { ChangeRecord } from './change.ts';

const STATUS: Record<ChangeRecord['status'], EventAttributes['status']> = {
  SCHEDULED: 'TENTATIVE',
  CONFIRMED: 'CONFIRMED',
  IN_PROGRESS: 'CONFIRMED',
  COMPLETED: 'CONFIRMED',
  FAILED: 'CONFIRMED',
  ROLLED_BACK: 'CONFIRMED',
  CANCELLED: 'CANCELLED',
};

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
  if (changes.length === 0) {
    // ics refuses an empty list; an empty feed is still a valid calendar a client can subscribe to.
    return [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//change-management//partner-feed//EN',
      'CALSCALE:GREGORIAN',
      `X-WR-CALNAME:${calendarName}`,
      'END:VCALENDAR',
      '',
    ].join('\r\n');
  }
  const events: EventAttributes[] = changes.map((change) => ({
    uid: change.changeId,
    sequence: change.version,
    title: `${change.emergency ? 'EMERGENCY: ' : ''}${change.title} (${change.customerId})`,
    description: describe(change),
    start: Date.parse(change.window.start),
    startInputType: 'utc',
    startOutputType: 'utc',
    end: Date.parse(change.window.end),
    endInputType: 'utc',
    endOutputType: 'utc',
    status: STATUS[change.status],
    categories: [change.type, change.region],
    // The record's last change, not the wall clock: the same change gives the same calendar.
    timestamp: Date.parse(change.updatedAt),
    productId: 'change-management/partner-feed',
    calName: calendarName,
  }));
  const { error, value } = createEvents(events);
  if (error || !value) throw error ?? new Error('could not build the calendar');
  return value;
}
