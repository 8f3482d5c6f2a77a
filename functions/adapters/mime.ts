/**
 * Builds the raw message that SES `SendRawEmail` sends. nodemailer's MailComposer does the MIME work
 * (RFC 5322 headers, RFC 2047 encoded-words, RFC 2231 file names, quoted-printable, base64, folding); this
 * module adds what the library leaves to its caller:
 *
 * - **Text is text.** MailComposer passes a value that already is an RFC 2047 encoded-word through as is (so
 *   its callers can pre-encode); ours never are, so a subject, header or display name holding `=?` is
 *   encoded whole and reads literally instead of being decoded by the mail client.
 * - **Refusal instead of repair.** MailComposer turns a CR or LF in a header value into a space, so an
 *   injected `\r\nBcc: …` can never become a header of its own there either; but a notice whose subject or
 *   recipient arrives with a line break is a bug upstream, so it is refused here with a TypeError before
 *   anything is built or sent. The same goes for a malformed address, a header name that is not a field
 *   name, and the headers that are written from the mail's own fields.
 * - **The same mail gives the same bytes.** The Date is the mail's `date` (never the wall clock), and the
 *   boundaries and a missing Message-ID are derived from a digest of the mail instead of random bytes, so
 *   a retried send is identical and tests can compare messages.
 * - **Fixed encodings.** Text and HTML are always quoted-printable and attachments always base64. Boundaries
 *   start with `=_`, a sequence neither encoding can produce, so no body can contain a boundary line.
 *
 * Shape of the message:
 *
 *   multipart/mixed                      (only when there are attachments)
 *   ├── multipart/alternative
 *   │   ├── text/plain; charset=utf-8    quoted-printable
 *   │   └── text/html; charset=utf-8     quoted-printable
 *   └── <attachment>                     base64, Content-Disposition: attachment; filename=…
 */
import { createHash } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import { encodeWord } from 'nodemailer/lib/mime-funcs';
import type { MailAttachment, OutgoingMail } from '#app/ports.ts';

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

/** The raw RFC 5322 message, CRLF line endings, ready for `RawMessage.Data`. */
export async function buildMimeMessage(mail: OutgoingMail): Promise<Buffer> {
  if (mail.to.length === 0) throw new TypeError('buildMimeMessage: a mail needs at least one To recipient');
  if (Number.isNaN(mail.date.getTime())) throw new TypeError('buildMimeMessage: invalid date');
  refuseLineBreak('Subject', mail.subject);

  const from = mailbox(mail.from);
  const headers: Record<string, string> = {};
  let messageId: string | undefined;
  for (const [name, value] of Object.entries(mail.headers ?? {})) {
    if (!HEADER_NAME.test(name))
      throw new TypeError(`buildMimeMessage: invalid header name ${JSON.stringify(name)}`);
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      throw new TypeError(`buildMimeMessage: the header ${name} is written from the mail's fields`);
    }
    refuseLineBreak(name, value);
    if (name.toLowerCase() === 'message-id') messageId = value;
    else headers[name] = literal(value);
  }

  const seed = digest(mail);
  const composer = new MailComposer({
    from,
    to: mail.to.map(mailbox),
    cc: (mail.cc ?? []).map(mailbox),
    subject: literal(mail.subject),
    date: mail.date,
    // SES replaces the Message-ID (and the Date) with its own on the way out; a stable one keeps the raw
    // message of a retry byte-identical, which is what the tests and the local mail store see.
    messageId: messageId ?? `<${seed}@${from.address.split('@').pop()}>`,
    headers,
    text: textPart('text/plain', mail.text),
    html: textPart('text/html', mail.html),
    attachments: (mail.attachments ?? []).map(attachment),
    baseBoundary: seed,
    boundaryPrefix: '=_',
    textEncoding: 'B',
    newline: 'win',
    // Content is always inline: never let a value be read as a file path or a URL to fetch.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return composer.compile().build();
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

/**
 * One mailbox, handed to MailComposer as a parsed `{ name, address }` so that its address parser never
 * reads a comma in a display name as a second recipient. The address must be plain ASCII (SES has no
 * SMTPUTF8); the display name may be anything printable, MailComposer quotes or encodes it.
 */
function mailbox(value: string): { name: string; address: string } {
  const { name, address } = parseMailbox(value);
  if (!/^[\x21-\x7e]+@[\x21-\x7e]+$/.test(address) || /[<>(),;:\\"[\]]/.test(address)) {
    throw new TypeError(`buildMimeMessage: invalid email address ${JSON.stringify(value)}`);
  }
  return { name: literal(name), address };
}

/** `=?…?=` in our text is text: encode the whole value so no client decodes it (see the top of the file). */
function literal(value: string): string {
  return value.includes('=?') ? encodeWord(value, 'B', 52) : value;
}

function refuseLineBreak(header: string, value: string): void {
  if (/[\r\n]/.test(value)) throw new TypeError(`buildMimeMessage: line break in the ${header} header`);
}

function textPart(type: 'text/plain' | 'text/html', content: string) {
  // Line breaks of any kind become CRLF (`newline: 'win'` converts LF; a lone CR is made an LF first).
  return {
    content: content.replace(/\r\n?/g, '\n'),
    contentType: `${type}; charset=utf-8`,
    contentTransferEncoding: 'quoted-printable',
  };
}

function attachment(file: MailAttachment) {
  const contentType = file.contentType.trim();
  if (/[\r\n]/.test(contentType) || !/^[\w.+-]+\/[\w.+-]+/.test(contentType)) {
    throw new TypeError(`buildMimeMessage: invalid content type ${JSON.stringify(file.contentType)}`);
  }
  if (file.filename.length === 0 || /[\r\n]/.test(file.filename)) {
    throw new TypeError(`buildMimeMessage: invalid attachment file name ${JSON.stringify(file.filename)}`);
  }
  return {
    filename: file.filename,
    contentType,
    content: Buffer.from(file.content, 'utf8'),
    contentTransferEncoding: 'base64',
    contentDisposition: 'attachment',
  };
}

/** A short digest of everything in the mail: boundaries and Message-ID that are stable for the same mail. */
function digest(mail: OutgoingMail): string {
  const hash = createHash('sha256');
  hash.update(
    JSON.stringify([mail.from, mail.to, mail.cc, mail.subject, mail.text, mail.html, mail.headers]),
  );
  hash.update(mail.date.toISOString());
  for (const a of mail.attachments ?? []) hash.update(JSON.stringify([a.filename, a.contentType, a.content]));
  return hash.digest('hex').slice(0, 32);
}
