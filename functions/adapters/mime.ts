/**
 * Builds the raw message that SES `SendRawEmail` sends: RFC 5322 headers and a MIME body (RFC 2045–2047,
 * 2231). Pure: the same mail gives the same bytes (the Date is the mail's `date`, the boundaries are derived
 * from a hash of the content), so messages can be compared in tests and a retried send is identical.
 *
 * Shape of the message:
 *
 *   multipart/mixed                      (only when there are attachments)
 *   ├── multipart/alternative
 *   │   ├── text/plain; charset=utf-8    quoted-printable
 *   │   └── text/html; charset=utf-8     quoted-printable
 *   └── <attachment>                     base64, Content-Disposition: attachment; filename=…
 *
 * Without attachments the multipart/alternative is the top-level body.
 *
 * Every line ends in CRLF; header lines are folded at 76 characters where there is whitespace to fold at (an
 * encoded-word is at most 60 characters); body lines are at most 76 characters. Boundaries start with `=_`, a sequence
 * that quoted-printable and base64 output can never contain, so no body can collide with a boundary.
 */
import { createHash } from 'node:crypto';

export interface MailAttachment {
  filename: string;
  /** e.g. `text/calendar; method=PUBLISH; charset=utf-8` */
  contentType: string;
  /** UTF-8 text; sent base64-encoded, byte for byte. */
  content: string;
}

export interface OutgoingMail {
  /** `ops@example.com` or `Change Desk <ops@example.com>` */
  from: string;
  to: string[];
  cc?: string[];
  subject: string;
  text: string;
  html: string;
  attachments?: MailAttachment[];
  /** The Date header. Never the wall clock: the caller decides (a retry keeps the original date). */
  date: Date;
  /**
   * Extra headers, e.g. `X-Change-Id`, `X-Notice-Id`, `Message-ID`, `Reply-To`. The headers this module
   * writes itself (From, To, Cc, Subject, Date, MIME-Version, Content-*) and Bcc are refused here.
   */
  headers?: Record<string, string>;
}

const CRLF = '\r\n';
/** Header lines: RFC 5322 asks for at most 78, RFC 2047 for at most 76 on lines with encoded-words. */
const MAX_HEADER_LINE = 76;
const MAX_BODY_LINE = 76;

const RESERVED_HEADERS = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'subject',
  'date',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'content-disposition',
]);

/** Header field names: printable US-ASCII except colon (RFC 5322 §2.2). */
const HEADER_NAME = /^[!-9;-~]+$/;

export function buildMimeMessage(mail: OutgoingMail): string {
  if (mail.to.length === 0) throw new TypeError('buildMimeMessage: a mail needs at least one To recipient');
  if (Number.isNaN(mail.date.getTime())) throw new TypeError('buildMimeMessage: invalid date');

  const headers: string[] = [
    header('From', formatAddress(mail.from)),
    header('To', mail.to.map(formatAddress).join(', ')),
  ];
  if (mail.cc && mail.cc.length > 0) headers.push(header('Cc', mail.cc.map(formatAddress).join(', ')));
  headers.push(header('Subject', encodeUnstructured(mail.subject)));
  headers.push(header('Date', formatDate(mail.date)));
  for (const [name, value] of Object.entries(mail.headers ?? {})) {
    if (!HEADER_NAME.test(name))
      throw new TypeError(`buildMimeMessage: invalid header name ${JSON.stringify(name)}`);
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      throw new TypeError(`buildMimeMessage: the header ${name} is written from the mail's fields`);
    }
    headers.push(header(name, encodeUnstructured(value)));
  }
  headers.push('MIME-Version: 1.0');

  const seed = digest(mail);
  const alternative = multipart('alternative', `=_alt_${seed}`, [
    part(
      ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable'],
      qp(mail.text),
    ),
    part(
      ['Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable'],
      qp(mail.html),
    ),
  ]);
  const attachments = mail.attachments ?? [];
  const body =
    attachments.length === 0
      ? alternative
      : multipart('mixed', `=_mix_${seed}`, [alternative, ...attachments.map(attachmentPart)]);

  return [...headers, ...body.headers, '', body.content, ''].join(CRLF);
}

// --- Parts -------------------------------------------------------------------------------------------------

interface Part {
  headers: string[];
  content: string;
}

function part(headers: string[], content: string): Part {
  return { headers, content };
}

function multipart(subtype: 'mixed' | 'alternative', boundary: string, parts: Part[]): Part {
  const lines: string[] = [];
  for (const p of parts) lines.push(`--${boundary}`, ...p.headers, '', p.content);
  lines.push(`--${boundary}--`);
  return {
    headers: [`Content-Type: multipart/${subtype};${CRLF} boundary="${boundary}"`],
    content: lines.join(CRLF),
  };
}

function attachmentPart(attachment: MailAttachment): Part {
  const contentType = attachment.contentType.trim();
  if (/[\r\n]/.test(contentType) || !/^[\w.+-]+\/[\w.+-]+/.test(contentType)) {
    throw new TypeError(`buildMimeMessage: invalid content type ${JSON.stringify(attachment.contentType)}`);
  }
  if (attachment.filename.length === 0 || /[\r\n]/.test(attachment.filename)) {
    throw new TypeError(
      `buildMimeMessage: invalid attachment file name ${JSON.stringify(attachment.filename)}`,
    );
  }
  return part(
    [
      header(
        'Content-Type',
        `${contentType.replace(/;\s*$/, '')}; ${filenameParameter('name', attachment.filename)}`,
      ),
      'Content-Transfer-Encoding: base64',
      header('Content-Disposition', `attachment; ${filenameParameter('filename', attachment.filename)}`),
    ],
    base64Lines(Buffer.from(attachment.content, 'utf8')),
  );
}

/** `filename="invite.ics"`, or RFC 2231 `filename*=utf-8''…` when the name is not plain printable ASCII. */
function filenameParameter(name: string, value: string): string {
  if (/^[ -~]*$/.test(value) && !/["\\]/.test(value)) return `${name}="${value}"`;
  const encoded = Array.from(Buffer.from(value, 'utf8'), (byte) =>
    /[A-Za-z0-9!#$&+.^_`|~-]/.test(String.fromCharCode(byte))
      ? String.fromCharCode(byte)
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
  ).join('');
  return `${name}*=utf-8''${encoded}`;
}

// --- Headers -----------------------------------------------------------------------------------------------

/** `Name: value`, folded at whitespace so lines stay within 76 characters where the value allows. */
function header(name: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new TypeError(`buildMimeMessage: line break in the ${name} header`);
  const words = value.split(' ');
  const lines: string[] = [];
  let line = `${name}:`;
  for (const word of words) {
    // Fold only before a non-empty word (no whitespace-only lines), and right after the colon only before an
    // encoded-word (whose line must not exceed 76 characters).
    const foldable = word.length > 0 && (!line.endsWith(':') || word.startsWith('=?'));
    if (line.length + 1 + word.length > MAX_HEADER_LINE && foldable) {
      lines.push(line);
      line = ` ${word}`;
    } else {
      line += ` ${word}`;
    }
  }
  lines.push(line);
  return lines.join(CRLF);
}

/**
 * Unstructured header text (Subject, X-…): as is when it is printable ASCII, otherwise RFC 2047 encoded-words
 * (`=?UTF-8?B?…?=`), each at most 60 characters and never splitting a character, separated by spaces so
 * `header()` folds between them (whitespace between adjacent encoded-words is not displayed).
 */
export function encodeUnstructured(value: string): string {
  if (/[\r\n]/.test(value))
    throw new TypeError(`buildMimeMessage: line break in a header: ${JSON.stringify(value)}`);
  if (/^[\x20-\x7e]*$/.test(value) && !/=\?/.test(value)) return value;
  // Encoded-words of at most 60 characters: "=?UTF-8?B?" + "?=" (12) + 48 base64 characters (36 bytes), so
  // even the first one fits on the line after a header name of up to 14 characters.
  const maxBytes = 36;
  const words: string[] = [];
  let chunk = '';
  for (const char of value) {
    if (Buffer.byteLength(chunk + char, 'utf8') > maxBytes) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join(' ');
}

/**
 * One mailbox: `a@b`, `Name <a@b>` or `"Name" <a@b>`. A display name that is not plain ASCII becomes an
 * encoded-word; one with specials is quoted. The address itself must be ASCII (SES has no SMTPUTF8).
 */
function formatAddress(mailbox: string): string {
  const { name, address } = parseMailbox(mailbox);
  if (!/^[\x21-\x7e]+@[\x21-\x7e]+$/.test(address) || /[<>(),;:\\"[\]]/.test(address)) {
    throw new TypeError(`buildMimeMessage: invalid email address ${JSON.stringify(mailbox)}`);
  }
  if (!name) return address;
  if (!/^[\x20-\x7e]*$/.test(name)) return `${encodeUnstructured(name)} <${address}>`;
  if (/^[\w!#$%&'*+/=?^`{|}~. -]*$/.test(name) && !/=\?/.test(name)) return `${name} <${address}>`;
  return `"${name.replace(/["\\]/g, '\\$&')}" <${address}>`;
}

/** Splits `Name <a@b>` into its parts; a bare address has no name. */
export function parseMailbox(mailbox: string): { name: string; address: string } {
  const trimmed = mailbox.trim();
  if (/[\r\n]/.test(trimmed)) throw new TypeError(`invalid email address ${JSON.stringify(mailbox)}`);
  const match = /^(.*?)\s*<([^<>]+)>$/.exec(trimmed);
  if (!match) return { name: '', address: trimmed };
  let name = match[1]!.trim();
  if (name.startsWith('"') && name.endsWith('"') && name.length >= 2) {
    name = name.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return { name, address: match[2]!.trim() };
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 §3.3 date-time in UTC: `Fri, 21 Nov 2026 09:30:00 +0000`. */
export function formatDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[date.getUTCDay()]}, ${pad(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

// --- Bodies ------------------------------------------------------------------------------------------------

/**
 * Quoted-printable (RFC 2045 §6.7) of UTF-8 text whose line breaks (LF, CRLF or CR) become CRLF: lines of at
 * most 76 characters with soft breaks (`=`), an escape never split, trailing whitespace encoded, and a `.` at
 * the start of a line encoded too (harmless, and safe with relays that mishandle dot-stuffing).
 */
export function qp(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => qpLine(line))
    .join(CRLF);
}

function qpLine(line: string): string {
  const tokens: string[] = [];
  const bytes = Buffer.from(line, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    const last = i === bytes.length - 1;
    const literal =
      (byte >= 33 && byte <= 126 && byte !== 61 && !(byte === 46 && i === 0)) ||
      ((byte === 32 || byte === 9) && !last);
    tokens.push(literal ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`);
  }
  const out: string[] = [];
  let current = '';
  for (const token of tokens) {
    // A soft line break "=" takes one column: keep room for it.
    if (current.length + token.length > MAX_BODY_LINE - 1) {
      out.push(`${current}=`);
      current = '';
    }
    current += token;
  }
  out.push(current);
  return out.join(CRLF);
}

/** Base64 in lines of 76 characters. */
export function base64Lines(data: Buffer): string {
  const encoded = data.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < encoded.length; i += MAX_BODY_LINE) lines.push(encoded.slice(i, i + MAX_BODY_LINE));
  return lines.join(CRLF);
}

/** A short digest of everything in the mail, for boundaries that are stable for the same mail. */
function digest(mail: OutgoingMail): string {
  const hash = createHash('sha256');
  hash.update(
    JSON.stringify([mail.from, mail.to, mail.cc, mail.subject, mail.text, mail.html, mail.headers]),
  );
  hash.update(mail.date.toISOString());
  for (const a of mail.attachments ?? []) hash.update(JSON.stringify([a.filename, a.contentType, a.content]));
  return hash.digest('base64url').slice(0, 24);
}
