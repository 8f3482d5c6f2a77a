/**
 * aws-ses-v2-local, started in-process once and shared (reference-counted) by every local mail store of
 * the process (local/mail-store.ts): it keeps its mails in module state, so one server per process is all
 * there can be. Requests reach it through a keep-alive agent of its own.
 */

import { Agent, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const HOST = '127.0.0.1';

// --- aws-ses-v2-local, once per process ----------------------------------------------------------------------

export interface Backend {
  /** Forwards a request as received (method, path and query, headers, body). */
  forward(req: IncomingMessage, body: Buffer): Promise<Upstream>;
  /** A request of our own; the answer's text, or an error for a non-2xx status. */
  call(method: 'GET' | 'POST', path: string): Promise<string>;
  /** Sends a recorded request again (the kept inbox after a restart). */
  replay(method: string, path: string, headers: Record<string, string>, body: Buffer): Promise<Upstream>;
  users(): number;
  release(): Promise<void>;
}

export interface Upstream {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

let shared: { server: Promise<{ server: Server; port: number; agent: Agent }>; users: number } | undefined;

export async function acquireBackend(): Promise<Backend> {
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
    replay(method, path, headers, body) {
      return exchange(method, path, { ...headers, 'content-length': String(body.length) }, body);
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

export function closeServer(server: Server): Promise<void> {
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

export function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => {
    result ??= fn();
    return result;
  };
}
