/**
 * The MIME builder (nodemailer's MailComposer behind our checks): valid RFC 5322 / MIME, checked by hand
 * (line endings, lengths, headers) and by parsing the result with mailparser (a dependency of
 * aws-ses-v2-local, the same parser the local SES uses).
 */
import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { buildMimeMessage as build } from '#adapters/mime.ts';
import type { OutgoingMail } from '#app/ports.ts';

/** The message as text (it is all ASCII: every non-ASCII character is encoded). */
const buildMimeMessage = async (mail: OutgoingMail) => (await build(mail)).toString('utf8');

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
  it('ends every line in CRLF and keeps lines short', async () => {
    // Prepare
    const mail = notice({
      text: `${'word '.repeat(60)}\n${'x'.repeat(300)}`,
      html: `<p>${'y'.repeat(500)}</p>`,
    });

    // Act
    const raw = await buildMimeMessage(mail);

    // Assess
    expect(raw).not.toMatch(/\r(?!\n)|(?<!\r)\n/);
    expect(raw.endsWith('\r\n')).toBe(true);
    const lengths = raw.split('\r\n').map((line) => line.length);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(76);
  });

  it('writes From, To, Cc, Subject, Date, MIME-Version and the extra headers', async () => {
    // Act
    const headers = topHeaders(await buildMimeMessage(notice()));

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
    expect(headers.get('content-type')).toMatch(/^multipart\/mixed; boundary="=_[\w-]+"$/);
  });

  it('leaves out Cc when there is none', async () => {
    const headers = topHeaders(await buildMimeMessage(notice({ cc: [] })));
    expect(headers.has('cc')).toBe(false);
  });

  it('takes the Date from the mail, never the wall clock', async () => {
    // Prepare: two builds of the same mail at different wall-clock times give the same bytes.
    const first = await buildMimeMessage(notice());
    const second = await buildMimeMessage(notice());

    // Assess
    expect(second).toBe(first);
    // Without a Message-ID from the caller (as the notices send), the one written is stable too.
    const bare = notice({ headers: { 'X-Change-Id': 'chg-0042' } });
    const [bareFirst, bareSecond] = [await buildMimeMessage(bare), await buildMimeMessage(bare)];
    expect(bareSecond).toBe(bareFirst);
    expect(topHeaders(bareFirst).get('message-id')).toMatch(/^<[0-9a-f]{32}@example\.com>$/);
    const later = await buildMimeMessage(notice({ date: new Date('2027-01-03T07:05:09.999Z') }));
    expect(topHeaders(later).get('date')).toBe('Sun, 03 Jan 2027 07:05:09 +0000');
  });

  it('encodes a non-ASCII subject as RFC 2047 encoded-words and mailparser decodes it back', async () => {
    // Prepare
    const subject = 'Wartung CHG-0042: Änderung am Samstag, 28. November – bitte lesen 🚀 (Zürich, Genève)';

    // Act
    const raw = await buildMimeMessage(notice({ subject }));
    const parsed = await simpleParser(raw);

    // Assess
    const lines = raw.split('\r\n');
    const start = lines.findIndex((line) => line.startsWith('Subject:'));
    let end = start + 1;
    while (lines[end]?.startsWith(' ')) end++;
    const folded = lines.slice(start, end);
    expect(folded.length).toBeGreaterThan(1);
    // Each folded line is nothing but encoded-words (one or more, separated by a space).
    for (const line of folded) {
      expect(line).toMatch(/^(Subject:)?( =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=)+$/);
      expect(line.length).toBeLessThanOrEqual(76);
    }
    expect(parsed.subject).toBe(subject);
  });

  it('folds a long ASCII subject at spaces without changing it', async () => {
    const subject = `Maintenance ${'window '.repeat(20)}end`;
    const parsed = await simpleParser(await buildMimeMessage(notice({ subject })));
    expect(parsed.subject).toBe(subject);
  });

  it('keeps text that looks like an encoded-word literal, in the subject, a display name and a header', async () => {
    // Prepare: a title someone typed; a mail client must show it as typed, not decode it to "Hi".
    const lookalike = '=?UTF-8?B?SGk=?=';

    // Act
    const raw = await buildMimeMessage(
      notice({
        subject: `Maintenance ${lookalike} tonight`,
        to: [`${lookalike} <noc@partner.example>`],
        headers: { 'X-Change-Title': lookalike },
      }),
    );
    const parsed = await simpleParser(raw);

    // Assess
    expect(parsed.subject).toBe(`Maintenance ${lookalike} tonight`);
    const to = Array.isArray(parsed.to) ? parsed.to : [parsed.to];
    expect(to.flatMap((a) => a?.value ?? []).map((a) => a.name)).toEqual([lookalike]);
    expect(topHeaders(raw).get('x-change-title')).not.toBe(lookalike);
    expect(topHeaders(raw).get('x-change-title')).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
  });

  it('has a text/plain and a text/html alternative that parse back to the same text', async () => {
    // Prepare
    const mail = notice({
      text: 'Zeile 1 mit Umlauten: äöü ß\n.a line that starts with a dot\ntrailing space \n= equals\n\nend',
      html: '<p>Grüße – <a href="https://changes.example.com/c/CHG-0042?x=1&amp;y=2">CHG-0042</a></p>',
    });

    // Act
    const raw = await buildMimeMessage(mail);
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
    const raw = await buildMimeMessage(notice());
    const parsed = await simpleParser(raw);

    // Assess: by hand
    const part = raw.slice(raw.indexOf('Content-Type: text/calendar'));
    const partHeaders = part.slice(0, part.indexOf('\r\n\r\n')).replace(/\r\n /g, ' ');
    // (`invite.ics` is an RFC 2045 token, so it may stand with or without quotes)
    expect(partHeaders).toMatch(
      /^Content-Type: text\/calendar; method=PUBLISH; charset=utf-8; name=("?)invite\.ics\1$/m,
    );
    expect(partHeaders).toMatch(/^Content-Transfer-Encoding: base64$/m);
    expect(partHeaders).toMatch(/^Content-Disposition: attachment; filename=("?)invite\.ics\1$/m);
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
    const raw = await buildMimeMessage(
      notice({
        attachments: [
          { filename: 'Einladung-Wartung-Zürich.ics', contentType: 'text/calendar', content: ICS },
        ],
      }),
    );
    // RFC 2231: `filename*=` or, in its continuation form, `filename*0*=`
    expect(raw).toMatch(/filename\*(0\*)?=utf-8''Einladung-Wartung-Z%C3%BCrich\.ics/);
    const parsed = await simpleParser(raw);
    expect(parsed.attachments[0]?.filename).toBe('Einladung-Wartung-Zürich.ics');
  });

  it('uses boundaries that are distinct, delimit every part and appear nowhere in the encoded content', async () => {
    // Prepare
    const raw = await buildMimeMessage(notice());

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
    const other = await buildMimeMessage(notice({ subject: 'Another notice' }));
    expect(other).not.toContain(boundaries[0]!);
  });

  it('is a multipart/alternative at the top when there is no attachment', async () => {
    const raw = await buildMimeMessage(notice({ attachments: [] }));
    expect(topHeaders(raw).get('content-type')).toMatch(/^multipart\/alternative; boundary="=_[\w-]+"$/);
    const parsed = await simpleParser(raw);
    expect(parsed.attachments).toHaveLength(0);
    expect(parsed.text).toBe(notice().text);
  });

  it('encodes non-ASCII display names and quotes names with specials', async () => {
    // Act
    const raw = await buildMimeMessage(
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

  it('refuses header injection, reserved headers and malformed addresses', async () => {
    await expect(build(notice({ subject: 'Hi\r\nBcc: victim@example.com' }))).rejects.toThrow(/line break/);
    await expect(build(notice({ headers: { 'X-Change-Id': 'a\nb' } }))).rejects.toThrow(/line break/);
    await expect(build(notice({ headers: { 'Bad Name': 'x' } }))).rejects.toThrow(/header name/);
    await expect(build(notice({ headers: { subject: 'x' } }))).rejects.toThrow(/written from the mail/);
    await expect(build(notice({ to: ['not an address'] }))).rejects.toThrow(/invalid email address/);
    await expect(build(notice({ to: [] }))).rejects.toThrow(/at least one To/);
    await expect(build(notice({ date: new Date(Number.NaN) }))).rejects.toThrow(/invalid date/);
  });

  it('refuses a line break in every other place a header is written from, with a TypeError', async () => {
    // Prepare: each would smuggle a Bcc header into the message if it were written as given.
    const injected = 'Bcc: victim@example.com';
    const attempts: Partial<OutgoingMail>[] = [
      { from: `changes@example.com\r\n${injected}` },
      { from: `Change Desk\n${injected} <changes@example.com>` },
      { to: [`noc@partner.example\r\n${injected}`] },
      { cc: [`"Ops\r\n${injected}" <ops@example.com>`] },
      { subject: `Hi\r${injected}` },
      { headers: { 'Message-ID': `<ntc-7@changes.example.com>\r\n${injected}` } },
      { headers: { 'Reply-To': `desk@example.com\n${injected}` } },
      {
        attachments: [{ filename: `invite.ics\r\n${injected}`, contentType: 'text/calendar', content: ICS }],
      },
      {
        attachments: [{ filename: 'invite.ics', contentType: `text/calendar\r\n${injected}`, content: ICS }],
      },
    ];

    for (const overrides of attempts) {
      // Act
      const outcome = build(notice(overrides));

      // Assess
      await expect(outcome, JSON.stringify(overrides)).rejects.toThrow(TypeError);
      await expect(outcome, JSON.stringify(overrides)).rejects.toThrow(/line break|invalid/);
    }
    // The same values without the line break build, so it is the line break that is refused.
    const raw = await buildMimeMessage(notice({ headers: { 'Reply-To': 'desk@example.com' } }));
    expect(topHeaders(raw).get('reply-to')).toBe('desk@example.com');
    expect(topHeaders(raw).has('bcc')).toBe(false);
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
          const raw = await buildMimeMessage(
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

describe('the quoted-printable text part', () => {
  it('breaks long lines with soft breaks at 76 characters without splitting an escape', async () => {
    // Prepare
    const text = 'ä'.repeat(100);

    // Act
    const raw = await buildMimeMessage(notice({ text, attachments: [] }));
    const part = raw.slice(raw.indexOf('Content-Type: text/plain'));
    const body = part.slice(part.indexOf('\r\n\r\n') + 4, part.indexOf('\r\n--'));
    const lines = body.split('\r\n');

    // Assess
    expect(part).toMatch(
      /^Content-Type: text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n/,
    );
    expect(lines.length).toBeGreaterThan(1);
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
