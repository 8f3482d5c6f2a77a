/**
 * The MIME builder: valid RFC 5322 / MIME, checked by hand (line endings, lengths, headers) and by parsing
 * the result with mailparser (a dependency of aws-ses-v2-local, the same parser the local SES uses).
 */
import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { buildMimeMessage, formatDate, type OutgoingMail, qp } from '#adapters/mime.ts';

const ICS = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//change-maintenance-manager//EN',
  'METHOD:PUBLISH',
  'BEGIN:VEVENT',
  'UID:chg-0042@changes.example.com',
  'DTSTAMP:20261121T093000Z',
  'DTSTART:20261128T220000Z',
  'DTEND:20261129T010000Z',
  'SUMMARY:Wartung der Rufnummern-Plattform – Zürich',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

function notice(overrides: Partial<OutgoingMail> = {}): OutgoingMail {
  return {
    from: 'Change Desk <changes@example.com>',
    to: ['noc@partner.example', 'Jane Doe <jane@partner.example>'],
    cc: ['ops@example.com'],
    subject: 'Maintenance CHG-0042 on 28 Nov 2026',
    text: 'Hello,\n\nmaintenance CHG-0042 is planned for 28 Nov 2026, 22:00–01:00 UTC.\n\nThe change desk',
    html: '<p>Hello,</p><p>maintenance <b>CHG-0042</b> is planned for 28 Nov 2026, 22:00–01:00 UTC.</p>',
    attachments: [
      { filename: 'invite.ics', contentType: 'text/calendar; method=PUBLISH; charset=utf-8', content: ICS },
    ],
    date: new Date('2026-11-21T09:30:00Z'),
    headers: {
      'X-Change-Id': 'chg-0042',
      'X-Notice-Id': 'ntc-7',
      'Message-ID': '<ntc-7@changes.example.com>',
    },
    ...overrides,
  };
}

/** The header block, unfolded, as name → value (first occurrence). */
function topHeaders(raw: string): Map<string, string> {
  const block = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]/g, ' ');
  const map = new Map<string, string>();
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    if (!map.has(name)) map.set(name, line.slice(colon + 1).trim());
  }
  return map;
}

describe('buildMimeMessage', () => {
  it('ends every line in CRLF and keeps lines short', () => {
    // Prepare
    const mail = notice({
      text: `${'word '.repeat(60)}\n${'x'.repeat(300)}`,
      html: `<p>${'y'.repeat(500)}</p>`,
    });

    // Act
    const raw = buildMimeMessage(mail);

    // Assess
    expect(raw).not.toMatch(/\r(?!\n)|(?<!\r)\n/);
    expect(raw.endsWith('\r\n')).toBe(true);
    const lengths = raw.split('\r\n').map((line) => line.length);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(76);
  });

  it('writes From, To, Cc, Subject, Date, MIME-Version and the extra headers', () => {
    // Act
    const headers = topHeaders(buildMimeMessage(notice()));

    // Assess
    expect(headers.get('from')).toBe('Change Desk <changes@example.com>');
    expect(headers.get('to')).toBe('noc@partner.example, Jane Doe <jane@partner.example>');
    expect(headers.get('cc')).toBe('ops@example.com');
    expect(headers.get('subject')).toBe('Maintenance CHG-0042 on 28 Nov 2026');
    expect(headers.get('date')).toBe('Sat, 21 Nov 2026 09:30:00 +0000');
    expect(headers.get('mime-version')).toBe('1.0');
    expect(headers.get('x-change-id')).toBe('chg-0042');
    expect(headers.get('x-notice-id')).toBe('ntc-7');
    expect(headers.get('message-id')).toBe('<ntc-7@changes.example.com>');
    expect(headers.get('content-type')).toMatch(/^multipart\/mixed; boundary="=_mix_[\w-]+"$/);
  });

  it('leaves out Cc when there is none', () => {
    const headers = topHeaders(buildMimeMessage(notice({ cc: [] })));
    expect(headers.has('cc')).toBe(false);
  });

  it('takes the Date from the mail, never the wall clock', () => {
    // Prepare: two builds of the same mail at different wall-clock times give the same bytes.
    const first = buildMimeMessage(notice());
    const second = buildMimeMessage(notice());

    // Assess
    expect(second).toBe(first);
    expect(formatDate(new Date('2027-01-03T07:05:09.999Z'))).toBe('Sun, 03 Jan 2027 07:05:09 +0000');
  });

  it('encodes a non-ASCII subject as RFC 2047 encoded-words and mailparser decodes it back', async () => {
    // Prepare
    const subject = 'Wartung CHG-0042: Änderung am Samstag, 28. November – bitte lesen 🚀 (Zürich, Genève)';

    // Act
    const raw = buildMimeMessage(notice({ subject }));
    const parsed = await simpleParser(raw);

    // Assess
    const lines = raw.split('\r\n');
    const start = lines.findIndex((line) => line.startsWith('Subject:'));
    let end = start + 1;
    while (lines[end]?.startsWith(' ')) end++;
    const folded = lines.slice(start, end);
    expect(folded.length).toBeGreaterThan(1);
    for (const line of folded) {
      expect(line).toMatch(/^(Subject:)? ?=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
      expect(line.length).toBeLessThanOrEqual(76);
    }
    expect(parsed.subject).toBe(subject);
  });

  it('folds a long ASCII subject at spaces without changing it', async () => {
    const subject = `Maintenance ${'window '.repeat(20)}end`;
    const parsed = await simpleParser(buildMimeMessage(notice({ subject })));
    expect(parsed.subject).toBe(subject);
  });

  it('has a text/plain and a text/html alternative that parse back to the same text', async () => {
    // Prepare
    const mail = notice({
      text: 'Zeile 1 mit Umlauten: äöü ß\n.a line that starts with a dot\ntrailing space \n= equals\n\nend',
      html: '<p>Grüße – <a href="https://changes.example.com/c/CHG-0042?x=1&amp;y=2">CHG-0042</a></p>',
    });

    // Act
    const raw = buildMimeMessage(mail);
    const parsed = await simpleParser(raw);

    // Assess
    expect(raw).toContain('Content-Type: multipart/alternative;');
    expect(raw).toContain(
      'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable',
    );
    expect(raw).toContain(
      'Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable',
    );
    expect(parsed.text).toBe(mail.text);
    expect(parsed.html).toBe(mail.html);
  });

  it('sends the attachment base64 with its type and file name, and it decodes back to the ICS text', async () => {
    // Act
    const raw = buildMimeMessage(notice());
    const parsed = await simpleParser(raw);

    // Assess: by hand
    const part = raw.slice(raw.indexOf('Content-Type: text/calendar'));
    const partHeaders = part.slice(0, part.indexOf('\r\n\r\n')).replace(/\r\n /g, ' ');
    expect(partHeaders).toContain(
      'Content-Type: text/calendar; method=PUBLISH; charset=utf-8; name="invite.ics"',
    );
    expect(partHeaders).toContain('Content-Transfer-Encoding: base64');
    expect(partHeaders).toContain('Content-Disposition: attachment; filename="invite.ics"');
    const encoded = part.slice(part.indexOf('\r\n\r\n') + 4, part.indexOf('\r\n--'));
    expect(Buffer.from(encoded.replace(/\r\n/g, ''), 'base64').toString('utf8')).toBe(ICS);
    // Assess: by mailparser
    expect(parsed.attachments).toHaveLength(1);
    const [invite] = parsed.attachments;
    expect(invite?.filename).toBe('invite.ics');
    expect(invite?.contentType).toBe('text/calendar');
    expect(invite?.contentDisposition).toBe('attachment');
    expect(invite?.content.toString('utf8')).toBe(ICS);
  });

  it('encodes a non-ASCII attachment name as an RFC 2231 parameter', async () => {
    const raw = buildMimeMessage(
      notice({
        attachments: [
          { filename: 'Einladung-Wartung-Zürich.ics', contentType: 'text/calendar', content: ICS },
        ],
      }),
    );
    expect(raw).toContain("filename*=utf-8''Einladung-Wartung-Z%C3%BCrich.ics");
    const parsed = await simpleParser(raw);
    expect(parsed.attachments[0]?.filename).toBe('Einladung-Wartung-Zürich.ics');
  });

  it('uses boundaries that are distinct, delimit every part and appear nowhere in the encoded content', () => {
    // Prepare
    const raw = buildMimeMessage(notice());

    // Act
    const boundaries = [...raw.matchAll(/boundary="([^"]+)"/g)].map((m) => m[1]!);

    // Assess
    expect(boundaries).toHaveLength(2);
    expect(new Set(boundaries).size).toBe(2);
    for (const boundary of boundaries) {
      const lines = raw.split('\r\n');
      const delimiters = lines.filter((line) => line.startsWith(`--${boundary}`));
      expect(delimiters.at(-1)).toBe(`--${boundary}--`);
      expect(delimiters.length).toBeGreaterThanOrEqual(3);
      // Every other occurrence of the boundary is its own Content-Type parameter.
      expect(raw.split(boundary).length - 1).toBe(delimiters.length + 1);
    }
    // Another mail gets other boundaries.
    const other = buildMimeMessage(notice({ subject: 'Another notice' }));
    expect(other).not.toContain(boundaries[0]!);
  });

  it('is a multipart/alternative at the top when there is no attachment', async () => {
    const raw = buildMimeMessage(notice({ attachments: [] }));
    expect(topHeaders(raw).get('content-type')).toMatch(/^multipart\/alternative; boundary="=_alt_[\w-]+"$/);
    const parsed = await simpleParser(raw);
    expect(parsed.attachments).toHaveLength(0);
    expect(parsed.text).toBe(notice().text);
  });

  it('encodes non-ASCII display names and quotes names with specials', async () => {
    // Act
    const raw = buildMimeMessage(
      notice({ to: ['Zoë Ärger <zoe@partner.example>', 'Doe, Jane <jane@partner.example>'] }),
    );
    const parsed = await simpleParser(raw);

    // Assess
    expect(topHeaders(raw).get('to')).toMatch(
      /^=\?UTF-8\?B\?[^?]+\?= <zoe@partner.example>, "Doe, Jane" <jane@partner.example>$/,
    );
    const to = Array.isArray(parsed.to) ? parsed.to : [parsed.to];
    expect(to.flatMap((a) => a?.value ?? []).map((a) => [a.name, a.address])).toEqual([
      ['Zoë Ärger', 'zoe@partner.example'],
      ['Doe, Jane', 'jane@partner.example'],
    ]);
  });

  it('refuses header injection, reserved headers and malformed addresses', () => {
    expect(() => buildMimeMessage(notice({ subject: 'Hi\r\nBcc: victim@example.com' }))).toThrow(
      /line break/,
    );
    expect(() => buildMimeMessage(notice({ headers: { 'X-Change-Id': 'a\nb' } }))).toThrow(/line break/);
    expect(() => buildMimeMessage(notice({ headers: { 'Bad Name': 'x' } }))).toThrow(/header name/);
    expect(() => buildMimeMessage(notice({ headers: { subject: 'x' } }))).toThrow(/written from the mail/);
    expect(() => buildMimeMessage(notice({ to: ['not an address'] }))).toThrow(/invalid email address/);
    expect(() => buildMimeMessage(notice({ to: [] }))).toThrow(/at least one To/);
    expect(() => buildMimeMessage(notice({ date: new Date(Number.NaN) }))).toThrow(/invalid date/);
  });
});

describe('buildMimeMessage, for any subject and text', () => {
  it('parses back to the same subject, text and attachment', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'grapheme', maxLength: 120 }).map((s) => s.replace(/[\r\n]/g, ' ')),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 300 }),
        async (subject, text) => {
          // Act
          const raw = buildMimeMessage(
            notice({
              subject,
              text,
              attachments: [{ filename: 'a.txt', contentType: 'text/plain', content: text }],
            }),
          );
          const parsed = await simpleParser(raw);

          // Assess (mailparser trims the subject and gives line breaks as LF)
          expect(raw.split('\r\n').every((line) => line.length <= 998)).toBe(true);
          expect((parsed.subject ?? '').trim()).toBe(subject.trim());
          expect(parsed.text).toBe(text.replace(/\r\n|\r/g, '\n'));
          expect(parsed.attachments[0]?.content.toString('utf8')).toBe(text);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('qp (quoted-printable)', () => {
  it('breaks long lines with soft breaks at 76 characters without splitting an escape', () => {
    // Prepare
    const text = 'ä'.repeat(100);

    // Act
    const lines = qp(text).split('\r\n');

    // Assess
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(76);
    expect(lines.slice(0, -1).every((line) => line.endsWith('='))).toBe(true);
    for (const line of lines) expect(line.replace(/=$/, '')).not.toMatch(/=(?![0-9A-F]{2})/);
    const decoded = Buffer.from(
      lines
        .map((l) => (l.endsWith('=') ? l.slice(0, -1) : l))
        .join('')
        .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
      'latin1',
    ).toString('utf8');
    expect(decoded).toBe(text);
  });
});
