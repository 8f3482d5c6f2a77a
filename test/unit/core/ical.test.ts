/**
 * The iCalendar of changes (RFC 5545), read back with a reference parser (ical.js, Mozilla's): what a
 * calendar client shows must be the change's text, whatever characters it holds.
 *
 * Before, bare CR, NUL, U+0085 and the other control characters went into TEXT values unescaped (a bare
 * CR even ends the content line for some readers), and lines were folded every 75 characters rather
 * than 75 octets.
 */
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { changesToICalendar } from '#core/ical.ts';
import { plannedChangeRecord } from '../support/change-fixtures.ts';

interface ReadEvent {
  uid: string;
  summary: string;
  description: string;
  start: string;
  end: string;
  sequence: number;
  status: string;
}

/** The calendar as ical.js reads it: its name and each event's properties. */
function read(ics: string): { name: string; events: ReadEvent[] } {
  const calendar = new ICAL.Component(ICAL.parse(ics));
  return {
    name: String(calendar.getFirstPropertyValue('x-wr-calname')),
    events: calendar.getAllSubcomponents('vevent').map((vevent) => {
      const event = new ICAL.Event(vevent);
      return {
        uid: event.uid,
        summary: event.summary,
        description: event.description,
        start: event.startDate.toJSDate().toISOString(),
        end: event.endDate.toJSDate().toISOString(),
        sequence: event.sequence,
        status: String(vevent.getFirstPropertyValue('status')),
      };
    }),
  };
}

/** Content lines: CRLF only, no control character but HTAB, at most 75 octets each (RFC 5545 3.1). */
function expectWellFormedLines(ics: string): void {
  expect(ics.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for exactly these characters.
  expect(ics.replaceAll('\r\n', '')).not.toMatch(/[\u0000-\u0008\u000A-\u001F\u007F-\u009F\u2028\u2029]/u);
  expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
  for (const line of ics.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
}

const LINE_BREAKS = [
  { name: 'LF', character: '\n' },
  { name: 'CRLF', character: '\r\n' },
  { name: 'bare CR', character: '\r' },
  { name: 'U+0085 (NEXT LINE)', character: '\u0085' },
  { name: 'U+2028 (LINE SEPARATOR)', character: '\u2028' },
  { name: 'U+2029 (PARAGRAPH SEPARATOR)', character: '\u2029' },
];
const OTHER_CONTROLS = [
  { name: 'NUL', character: '\u0000' },
  { name: 'BEL', character: '\u0007' },
  { name: 'ESC', character: '\u001B' },
  { name: 'DEL', character: '\u007F' },
  { name: 'U+009B (CSI)', character: '\u009B' },
  { name: 'vertical tab', character: '\u000B' },
];

describe('changesToICalendar', () => {
  it.each(LINE_BREAKS)(
    'writes a $name in a title or description as an escaped line break',
    ({ character }) => {
      // Prepare
      const change = plannedChangeRecord({
        title: `Dial plan${character}update`,
        description: `Step one${character}Step two`,
      });

      // Act
      const ics = changesToICalendar([change], 'Maintenance');

      // Assess
      expectWellFormedLines(ics);
      const [event] = read(ics).events;
      expect(event?.summary).toBe('Dial plan\nupdate (cus_globex)');
      expect(event?.description.endsWith('Step one\nStep two')).toBe(true);
    },
  );

  it.each(OTHER_CONTROLS)(
    'drops a $name from a title, a description and the calendar name',
    ({ character }) => {
      // Prepare
      const change = plannedChangeRecord({
        title: `Dial plan${character} update`,
        description: `Step one${character}, then two`,
        customerImpact: `None${character}`,
      });

      // Act
      const ics = changesToICalendar([change], `Maintenance${character}: Acme`);

      // Assess
      expectWellFormedLines(ics);
      const calendar = read(ics);
      expect(calendar.name).toBe('Maintenance: Acme');
      expect(calendar.events[0]?.summary).toBe('Dial plan update (cus_globex)');
      expect(calendar.events[0]?.description).toContain('Customer impact: None\n');
      expect(calendar.events[0]?.description.endsWith('Step one, then two')).toBe(true);
    },
  );

  it('writes a tab as a space', () => {
    const ics = changesToICalendar([plannedChangeRecord({ title: 'Dial\tplan' })], 'Maintenance');

    expectWellFormedLines(ics);
    expect(read(ics).events[0]?.summary).toBe('Dial plan (cus_globex)');
  });

  it('escapes the characters that are syntax in TEXT: backslash, semicolon, comma', () => {
    const title = 'A\\B; C, D: "E"';

    const ics = changesToICalendar([plannedChangeRecord({ title, description: title })], 'Feed; a, b');

    expectWellFormedLines(ics);
    const calendar = read(ics);
    expect(calendar.name).toBe('Feed; a, b');
    expect(calendar.events[0]?.summary).toBe(`${title} (cus_globex)`);
    expect(calendar.events[0]?.description.endsWith(title)).toBe(true);
  });

  it('folds long lines at 75 octets without splitting a character, and they unfold to the same text', () => {
    // Multi-byte text: 2-byte (ü), 3-byte (€) and 4-byte (📞, a surrogate pair in JavaScript) characters.
    const description = 'Zürich € 📞 '.repeat(60);
    const title = '📞'.repeat(50);

    const ics = changesToICalendar([plannedChangeRecord({ title, description })], 'Maintenance');

    expectWellFormedLines(ics);
    expect(ics).not.toContain('\uFFFD');
    const [event] = read(ics).events;
    expect(event?.summary).toBe(`${title} (cus_globex)`);
    expect(event?.description.endsWith(description)).toBe(true);
  });

  it('gives each change one event: UID, SEQUENCE, times in UTC and the status', () => {
    const scheduled = plannedChangeRecord({ changeId: 'chg_a', version: 3 });
    const confirmed = plannedChangeRecord({ changeId: 'chg_b', status: 'CONFIRMED', version: 4 });

    const calendar = read(changesToICalendar([scheduled, confirmed], 'Maintenance'));

    expect(calendar.events).toEqual([
      expect.objectContaining({
        uid: 'chg_a',
        sequence: 3,
        status: 'TENTATIVE',
        start: '2026-12-08T02:00:00.000Z',
        end: '2026-12-08T11:00:00.000Z',
      }),
      expect.objectContaining({ uid: 'chg_b', sequence: 4, status: 'CONFIRMED' }),
    ]);
  });

  it('is a valid, empty calendar when there is no change', () => {
    const ics = changesToICalendar([], 'Maintenance: Acme');

    expectWellFormedLines(ics);
    expect(read(ics)).toEqual({ name: 'Maintenance: Acme', events: [] });
    expect(ics).toContain('\r\nPRODID:-//change-management//partner-feed//EN\r\n');
  });

  it('is the same text for the same changes (DTSTAMP is the record time, not the clock)', () => {
    const change = plannedChangeRecord();

    expect(changesToICalendar([change], 'Maintenance')).toBe(changesToICalendar([change], 'Maintenance'));
  });
});
