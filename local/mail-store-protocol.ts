/**
 * The SES wire protocol as the local mail store meets it (local/mail-store.ts): which requests are SES
 * sends (v1 query protocol, v2 REST) and their MessageIds, the XML error SES v1 answers, and the mails
 * aws-ses-v2-local's `GET /store` returns, normalized with the headers of their raw MIME message.
 */
import { randomUUID } from 'node:crypto';

export interface StoredAttachment {
  filename: string;
  /** The MIME type without parameters, as mailparser reports it (e.g. `text/calendar`). */
  contentType: string;
  /** The decoded content, read as UTF-8 text. */
  content: string;
}

/** One mail as the local SES received it, normalized. */
export interface StoredMail {
  /** The SES MessageId the sender got back. */
  messageId?: string;
  /** As in the From header, e.g. `ops@example.com` or `"Change Desk" <ops@example.com>`. */
  from: string;
  /** One entry per mailbox in the To header. */
  to: string[];
  cc: string[];
  subject: string;
  /** The text/plain part, line breaks as mailparser gives them (LF). */
  text: string;
  html: string;
  attachments: StoredAttachment[];
  /** The message's Date header when the raw message is known, else when it was received. */
  date: Date;
  /** When the local SES received it (second precision). */
  receivedAt: Date;
  /** The raw MIME message, for SendRawEmail calls (v1 and v2) made through this store. */
  raw?: string;
  /** Top-level headers of the raw message, names in lower case, unfolded, encoded-words decoded. */
  headers?: Record<string, string>;
}

/** An email in aws-ses-v2-local's `GET /store` answer (its `dist/store.d.ts`, `Email`). */
export interface SesLocalEmail {
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  attachments: { content: string; contentType: string; filename?: string; size: number }[];
  headers?: { name: string; value: string }[];
  /** Epoch seconds. */
  at: number;
}

// --- Which requests are SES sends ---------------------------------------------------------------------------

export type SendApi = 'v1' | 'v2' | 'v2-bulk';

/** A v1 call other than SendEmail/SendRawEmail: aws-ses-v2-local never answers those (the request hangs). */
export type Classified = { api: SendApi; raw?: string } | { api: 'v1-other' };

/** An SES send request (v1 query protocol or v2 REST), with its raw MIME message when it carries one. */
export function classify(method: string, path: string, body: Buffer): Classified | undefined {
  if (method !== 'POST') return undefined;
  if (path === '/') {
    const params = new URLSearchParams(body.toString('utf8'));
    const action = params.get('Action');
    if (action === 'SendRawEmail') {
      const data = params.get('RawMessage.Data');
      return data === null ? { api: 'v1' } : { api: 'v1', raw: Buffer.from(data, 'base64').toString('utf8') };
    }
    if (action === 'SendEmail') return { api: 'v1' };
    return { api: 'v1-other' };
  }
  if (path === '/v2/email/outbound-emails') {
    const data = parseJson(body)?.Content?.Raw?.Data;
    return typeof data === 'string'
      ? { api: 'v2', raw: Buffer.from(data, 'base64').toString('utf8') }
      : { api: 'v2' };
  }
  if (path === '/v2/email/outbound-bulk-emails') return { api: 'v2-bulk' };
  return undefined;
}

/** The MessageId(s) in a successful send answer. */
export function messageIds(api: SendApi, body: Buffer): string[] {
  const text = body.toString('utf8');
  if (api === 'v1') return [...text.matchAll(/<MessageId>([^<]+)<\/MessageId>/g)].map((m) => m[1]!);
  const json = parseJson(body);
  if (api === 'v2') return typeof json?.MessageId === 'string' ? [json.MessageId] : [];
  const entries: unknown[] = Array.isArray(json?.BulkEmailEntryResults) ? json.BulkEmailEntryResults : [];
  return entries.flatMap((e) =>
    e && typeof e === 'object' && typeof (e as { MessageId?: unknown }).MessageId === 'string'
      ? [(e as { MessageId: string }).MessageId]
      : [],
  );
}

// biome-ignore lint/suspicious/noExplicitAny: request bodies of unknown shape, read defensively
export function parseJson(body: Buffer): any {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

// --- Errors --------------------------------------------------------------------------------------------------

export function sesErrorXml(type: 'Sender' | 'Receiver', code: string, message: string): string {
  return (
    '<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/">' +
    `<Error><Type>${type}</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>` +
    `<RequestId>${randomUUID()}</RequestId></ErrorResponse>`
  );
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

// --- Normalizing what /store returns -------------------------------------------------------------------------

export function normalize(email: SesLocalEmail, raw: string | undefined): StoredMail {
  const headers = raw === undefined ? undefined : parseHeaders(raw);
  const receivedAt = new Date(email.at * 1000);
  const stated = headers?.date ? new Date(headers.date) : undefined;
  return {
    messageId: email.messageId,
    from: email.from,
    to: email.destination.to.flatMap(splitAddressList),
    cc: email.destination.cc.flatMap(splitAddressList),
    subject: email.subject,
    text: email.body.text ?? '',
    html: email.body.html ?? '',
    attachments: email.attachments.map((a) => ({
      filename: a.filename ?? '',
      contentType: a.contentType,
      content: Buffer.from(a.content, 'base64').toString('utf8'),
    })),
    date: stated && !Number.isNaN(stated.getTime()) ? stated : receivedAt,
    receivedAt,
    ...(raw === undefined ? {} : { raw }),
    ...(headers === undefined ? {} : { headers }),
  };
}

/** `a@x, "Doe, Jane" <b@y>` → two mailboxes (commas inside quotes or angle brackets do not split). */
export function splitAddressList(list: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  let angle = false;
  for (let i = 0; i < list.length; i++) {
    const c = list[i]!;
    if (c === '\\' && quoted) {
      current += c + (list[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    else if (c === '<' && !quoted) angle = true;
    else if (c === '>' && !quoted) angle = false;
    if (c === ',' && !quoted && !angle) {
      if (current.trim()) out.push(current.trim());
      current = '';
      continue;
    }
    current += c;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

/** Top-level headers of a raw message: unfolded, names lower-cased (first occurrence wins), RFC 2047 decoded. */
export function parseHeaders(raw: string): Record<string, string> {
  const end = raw.search(/\r?\n\r?\n/);
  const block = (end === -1 ? raw : raw.slice(0, end)).replace(/\r?\n[ \t]/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!(name in headers)) headers[name] = decodeEncodedWords(line.slice(colon + 1).trim());
  }
  return headers;
}

function decodeEncodedWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?[^?]+\?[BbQq]\?[^?]*\?=)/g, '$1')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, _charset: string, encoding: string, text: string) => {
      if (encoding.toUpperCase() === 'B') return Buffer.from(text, 'base64').toString('utf8');
      const bytes = text
        .replace(/_/g, ' ')
        .replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
      return Buffer.from(bytes, 'latin1').toString('utf8');
    });
}
