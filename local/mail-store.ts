/**
 * The local mail store: SES as far as the SDK can tell, an inbox a person can open, and a switch to make SES
 * fail on purpose.
 *
 *   SESClient ──▶ proxy (node:http, 127.0.0.1:<port>) ──▶ aws-ses-v2-local (express, 127.0.0.1:<private port>)
 *                   │ fault armed? answer an SES error instead
 *                   │ remembers the raw MIME and the MessageId of each send that went through it
 *                   └ GET / (web inbox), GET /store, POST /clear-store, GET /get-emlContent: forwarded
 *
 * aws-ses-v2-local 2.10.2 is started in-process: its main module exports `server({ host, port })`, which
 * resolves with the listening `http.Server` (the CLI does nothing else). Facts about it that shape this code:
 * - it keeps mails in module state, so every server started in one process shares one store. We start one
 *   per process, shared (reference-counted) by every mail store started here; each mail store sees only the
 *   mails that went through its own proxy (by MessageId), in `mails()` and in its inbox page;
 * - `GET /store` answers `{ templates: {...}, emails: Email[] }` (`?since=<epoch seconds>` filters by `at`),
 *   see `SesLocalEmail` below; a SendRawEmail message is parsed with mailparser: from/to/cc are mailparser's
 *   `.text` forms (one string per header, so `to: ["a@x, b@y"]`), attachments carry base64 `content`, and
 *   the Date header, the other headers and the raw message are not kept (the proxy keeps the raw message);
 * - `POST /clear-store` empties the store (emails and templates);
 * - it needs an `Authorization: AWS…` header on SES calls (any SigV4 signature does) and binds `::` unless
 *   given a host.
 *
 * Fault injection answers the SES v1 (query protocol) XML error the SDK parses: `Error.Code` becomes the
 * exception name, `Error.Message` its message, an HTTP 5xx makes `$fault: 'server'`. A client with retries
 * (the SDK default is 3 attempts) would spend several armed failures on one `send`; the mailer uses
 * `maxAttempts: 1`.
 */

import { randomUUID } from 'node:crypto';
import {
  Agent,
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StartLocalMailStoreOptions {
  /** TCP port of the SES endpoint and inbox; 0 or omitted = a free port. */
  port?: number;
}

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

export interface MailFaults {
  /** The next `count` SES send requests fail with HTTP `status` (default 500). Adds to what is armed. */
  failNext(count: number, status?: number): void;
  /** Every SES send request fails with HTTP `status` (default 500) until `heal()`. */
  failAlways(status?: number): void;
  /** Disarms every fault. */
  heal(): void;
  /** How many send requests have been failed on purpose so far. */
  readonly failures: number;
}

export interface LocalMailStore {
  /** Point an SESClient here: `http://127.0.0.1:<port>`. */
  sesEndpoint: string;
  /** The web inbox (open in a browser). */
  inboxUrl: string;
  /** The JSON list of this store's mails, as aws-ses-v2-local answers it. */
  storeUrl: string;
  port: number;
  faults: MailFaults;
  /** The mails received through this store since it started (or since `clear()`), oldest first. */
  mails(): Promise<StoredMail[]>;
  clear(): Promise<void>;
  /** Closes the proxy (and aws-ses-v2-local when no other store uses it). Idempotent. */
  stop(): Promise<void>;
}

/** An email in aws-ses-v2-local's `GET /store` answer (its `dist/store.d.ts`, `Email`). */
interface SesLocalEmail {
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

interface SesLocalStore {
  templates: Record<string, unknown>;
  emails: SesLocalEmail[];
}

const HOST = '127.0.0.1';
const MAX_BODY_BYTES = 30 * 1024 * 1024;

export async function startLocalMailStore(options: StartLocalMailStoreOptions = {}): Promise<LocalMailStore> {
  const requestedPort = options.port ?? 0;
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65_535) {
    throw new Error(`startLocalMailStore: invalid port ${requestedPort}`);
  }
  const backend = await acquireBackend();
  const sent = new Map<string, { raw?: string }>();
  let armed = 0; // failures still to inject; Infinity = until heal()
  let status = 500;
  let failures = 0;

  const faults: MailFaults = {
    failNext(count, failStatus = 500) {
      if (!Number.isInteger(count) || count < 0) throw new Error(`failNext: invalid count ${count}`);
      armed += count;
      status = checkStatus(failStatus);
    },
    failAlways(failStatus = 500) {
      armed = Number.POSITIVE_INFINITY;
      status = checkStatus(failStatus);
    },
    heal() {
      armed = 0;
    },
    get failures() {
      return failures;
    },
  };

  const ownEmails = (store: SesLocalStore): SesLocalEmail[] =>
    store.emails.filter((e) => sent.has(e.messageId));

  const clear = async () => {
    sent.clear();
    // The store is shared by every mail store in this process: empty it only when it is ours alone.
    if (backend.users() === 1) await backend.call('POST', '/clear-store');
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://local');
    const classified = classify(req.method ?? 'GET', url.pathname, body);
    if (classified?.api === 'v1-other') {
      const action = new URLSearchParams(body.toString('utf8')).get('Action') ?? '(none)';
      answer(
        res,
        400,
        'text/xml',
        sesErrorXml('Sender', 'InvalidAction', `${action} is not supported locally`),
      );
      return;
    }
    const send = classified;

    if (send && armed > 0) {
      armed -= 1;
      failures += 1;
      answerFault(res, send.api, status);
      return;
    }
    if (req.method === 'POST' && url.pathname === '/clear-store') {
      await clear();
      answer(res, 200, 'application/json; charset=utf-8', JSON.stringify({ message: 'Store cleared' }));
      return;
    }

    const upstream = await backend.forward(req, body);
    if (send && upstream.status < 300) {
      for (const id of messageIds(send.api, upstream.body))
        sent.set(id, send.raw === undefined ? {} : { raw: send.raw });
    }
    if (req.method === 'GET' && url.pathname === '/store' && upstream.status === 200) {
      const store = JSON.parse(upstream.body.toString('utf8')) as SesLocalStore;
      answer(
        res,
        200,
        'application/json; charset=utf-8',
        JSON.stringify({ ...store, emails: ownEmails(store) }),
      );
      return;
    }
    res.writeHead(upstream.status, upstream.headers);
    res.end(upstream.body);
  };

  const proxy = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof BodyTooLargeError) {
        answer(res, 413, 'text/plain; charset=utf-8', error.message);
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      answer(
        res,
        502,
        'text/xml',
        sesErrorXml('Receiver', 'ServiceUnavailable', `local mail store: ${message}`),
      );
    });
  });

  let port: number;
  try {
    port = await listen(proxy, requestedPort);
  } catch (error) {
    await backend.release();
    throw error;
  }

  const base = `http://${HOST}:${port}`;
  const stop = once(async () => {
    await closeServer(proxy);
    await backend.release();
  });

  return {
    sesEndpoint: base,
    inboxUrl: `${base}/`,
    storeUrl: `${base}/store`,
    port,
    faults,
    async mails() {
      const store = JSON.parse(await backend.call('GET', '/store')) as SesLocalStore;
      return ownEmails(store).map((email) => normalize(email, sent.get(email.messageId)?.raw));
    },
    clear,
    stop,
  };
}

// --- Which requests are SES sends ---------------------------------------------------------------------------

type SendApi = 'v1' | 'v2' | 'v2-bulk';

/** A v1 call other than SendEmail/SendRawEmail: aws-ses-v2-local never answers those (the request hangs). */
type Classified = { api: SendApi; raw?: string } | { api: 'v1-other' };

/** An SES send request (v1 query protocol or v2 REST), with its raw MIME message when it carries one. */
function classify(method: string, path: string, body: Buffer): Classified | undefined {
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
function messageIds(api: SendApi, body: Buffer): string[] {
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
function parseJson(body: Buffer): any {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

// --- Faults -------------------------------------------------------------------------------------------------

function checkStatus(status: number): number {
  if (!Number.isInteger(status) || status < 400 || status > 599) {
    throw new Error(`fault status must be an HTTP error status (400–599), got ${status}`);
  }
  return status;
}

function sesErrorXml(type: 'Sender' | 'Receiver', code: string, message: string): string {
  return (
    '<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/">' +
    `<Error><Type>${type}</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>` +
    `<RequestId>${randomUUID()}</RequestId></ErrorResponse>`
  );
}

/** What SES answers when it is unavailable: v1 an XML ErrorResponse, v2 a JSON body with x-amzn-ErrorType. */
function answerFault(res: ServerResponse, api: SendApi, status: number): void {
  const code = status >= 500 ? 'ServiceUnavailable' : 'Throttling';
  if (api === 'v1') {
    answer(
      res,
      status,
      'text/xml',
      sesErrorXml(status >= 500 ? 'Receiver' : 'Sender', code, 'injected fault'),
    );
    return;
  }
  res.setHeader('x-amzn-ErrorType', code);
  answer(res, status, 'application/json', JSON.stringify({ message: 'injected fault' }));
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

// --- Normalizing what /store returns -------------------------------------------------------------------------

function normalize(email: SesLocalEmail, raw: string | undefined): StoredMail {
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

// --- aws-ses-v2-local, once per process ----------------------------------------------------------------------

interface Backend {
  /** Forwards a request as received (method, path and query, headers, body). */
  forward(req: IncomingMessage, body: Buffer): Promise<Upstream>;
  /** A request of our own; the answer's text, or an error for a non-2xx status. */
  call(method: 'GET' | 'POST', path: string): Promise<string>;
  users(): number;
  release(): Promise<void>;
}

interface Upstream {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

let shared: { server: Promise<{ server: Server; port: number; agent: Agent }>; users: number } | undefined;

async function acquireBackend(): Promise<Backend> {
  if (!shared) {
    const entry = { server: startSesLocal(), users: 0 };
    shared = entry;
    entry.server.catch(() => {
      if (shared === entry) shared = undefined;
    });
  }
  const entry = shared;
  entry.users += 1;
  let started: { server: Server; port: number; agent: Agent };
  try {
    started = await entry.server;
  } catch (error) {
    entry.users -= 1;
    throw error;
  }
  const { port, agent } = started;

  const exchange = (
    method: string,
    path: string,
    headers: Record<string, string | string[]>,
    body?: Buffer,
  ) =>
    new Promise<Upstream>((resolve, reject) => {
      const upstream = request({ host: HOST, port, method, path, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const out: Record<string, string | string[]> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            // The body is re-sent whole: drop hop-by-hop and length headers, node:http sets them again.
            if (
              value === undefined ||
              ['connection', 'keep-alive', 'transfer-encoding', 'content-length'].includes(name)
            ) {
              continue;
            }
            out[name] = value;
          }
          resolve({ status: res.statusCode ?? 502, headers: out, body: Buffer.concat(chunks) });
        });
        res.on('error', reject);
      });
      upstream.on('error', reject);
      upstream.end(body);
    });

  const release = once(async () => {
    entry.users -= 1;
    if (entry.users > 0) return;
    if (shared === entry) shared = undefined;
    // Its store outlives the server (module state): empty it so a later start begins with nothing held.
    await exchange('POST', '/clear-store', {}).catch(() => {});
    await closeServer(started.server);
    agent.destroy();
  });

  return {
    forward(req, body) {
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value === undefined || ['host', 'connection', 'keep-alive', 'transfer-encoding'].includes(name))
          continue;
        headers[name] = value;
      }
      headers['content-length'] = String(body.length);
      return exchange(req.method ?? 'GET', req.url ?? '/', headers, body);
    },
    async call(method, path) {
      const res = await exchange(method, path, {});
      const text = res.body.toString('utf8');
      if (res.status >= 300)
        throw new Error(`aws-ses-v2-local answered ${method} ${path} with ${res.status}: ${text}`);
      return text;
    },
    users: () => entry.users,
    release,
  };
}

type SesLocalServer = (config?: { host?: string; port?: number }) => Promise<Server>;

async function startSesLocal(): Promise<{ server: Server; port: number; agent: Agent }> {
  // A CommonJS module with `exports.default = server`: from ESM its default import is `module.exports`.
  const imported = (await import('aws-ses-v2-local')) as unknown as {
    default: SesLocalServer | { default: SesLocalServer };
  };
  const start = typeof imported.default === 'function' ? imported.default : imported.default.default;
  const server = await start({ host: HOST, port: 0 });
  // Express 5 calls the listen callback on an error too, and aws-ses-v2-local resolves either way.
  if (!server.listening) {
    await closeServer(server).catch(() => {});
    throw new Error('aws-ses-v2-local did not start listening');
  }
  return { server, port: (server.address() as AddressInfo).port, agent: new Agent({ keepAlive: true }) };
}

// --- Small helpers ------------------------------------------------------------------------------------------

class BodyTooLargeError extends Error {}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLargeError(`request body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function answer(res: ServerResponse, status: number, contentType: string, body: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': contentType, 'x-amzn-requestid': randomUUID() });
  res.end(body);
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`local mail store: port ${port} is already in use (choose another, or 0 for any)`)
          : error,
      );
    };
    server.once('error', onError);
    server.listen(port, HOST, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops accepting, drops idle keep-alive connections (browsers and SDK agents keep them), waits for close. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeIdleConnections();
    // An inbox tab polls /store every second: give in-flight requests a moment, then cut what is left.
    setTimeout(() => server.closeAllConnections(), 1_000).unref();
  });
}

function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => {
    result ??= fn();
    return result;
  };
}
