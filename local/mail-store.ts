/**
 * The local mail store: SES as far as the SDK can tell, an inbox a person can open, and a switch to make SES
 * fail on purpose.
 *
 *   SESClient ──▶ proxy (node:http, 127.0.0.1:<port>) ──▶ aws-ses-v2-local (express, 127.0.0.1:<private port>)
 *                   │ fault armed? answer an SES error instead
 *                   │ remembers the raw MIME and the MessageId of each send that went through it
 *                   └ GET / (web inbox), GET /store, POST /clear-store, GET /get-emlContent: forwarded
 *
 * The SES wire protocol (which requests are sends, their MessageIds, SES errors, normalizing the stored
 * mails) is in ./mail-store-protocol.ts; starting aws-ses-v2-local once per process in
 * ./ses-local-backend.ts.
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
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  classify,
  messageIds,
  normalize,
  type SendApi,
  type SesLocalEmail,
  type StoredMail,
  sesErrorXml,
} from './mail-store-protocol.ts';
import { acquireBackend, closeServer, HOST, once } from './ses-local-backend.ts';

export type { StoredAttachment, StoredMail } from './mail-store-protocol.ts';

export interface StartLocalMailStoreOptions {
  /** TCP port of the SES endpoint and inbox; 0 or omitted = a free port. */
  port?: number;
  /**
   * Keep the inbox across restarts: every accepted send is appended to this file (one JSON line: the
   * SES request as it came) and sent again to the fresh store on start. Omitted = the inbox starts empty.
   */
  journalFile?: string;
}

interface JournalEntry {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** The request headers a replay needs (aws-ses-v2-local wants an AWS Authorization header). */
const JOURNAL_HEADERS = ['content-type', 'authorization', 'x-amz-date'];

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

interface SesLocalStore {
  templates: Record<string, unknown>;
  emails: SesLocalEmail[];
}

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
    if (options.journalFile) writeFileSync(options.journalFile, '');
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
      if (options.journalFile) {
        const headers: Record<string, string> = {};
        for (const name of JOURNAL_HEADERS) {
          const value = req.headers[name];
          if (typeof value === 'string') headers[name] = value;
        }
        const entry: JournalEntry = {
          method: req.method ?? 'POST',
          path: url.pathname,
          headers,
          body: body.toString('base64'),
        };
        appendFileSync(options.journalFile, `${JSON.stringify(entry)}\n`);
      }
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

  // The kept inbox: every send of earlier runs, sent again to the fresh store (their Date headers and
  // contents are the originals; only the time the local SES received them is new).
  if (options.journalFile && existsSync(options.journalFile)) {
    for (const line of readFileSync(options.journalFile, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const entry = JSON.parse(line) as JournalEntry;
      const body = Buffer.from(entry.body, 'base64');
      const send = classify(entry.method, entry.path, body);
      const upstream = await backend.replay(entry.method, entry.path, entry.headers, body);
      if (send && send.api !== 'v1-other' && upstream.status < 300) {
        for (const id of messageIds(send.api, upstream.body))
          sent.set(id, send.raw === undefined ? {} : { raw: send.raw });
      }
    }
  }

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

// --- Faults -------------------------------------------------------------------------------------------------

function checkStatus(status: number): number {
  if (!Number.isInteger(status) || status < 400 || status > 599) {
    throw new Error(`fault status must be an HTTP error status (400–599), got ${status}`);
  }
  return status;
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
