/**
 * `npm start`: runs the whole system locally and prints how to reach it.
 *
 *   npm start                      API on http://localhost:3000/v1, data kept in .local/dynamodb
 *   npm start -- --port 4000       another port (or PORT=4000)
 *   npm start -- --in-memory       nothing kept between runs
 *
 * Writes .local/endpoints.json (base URL and keys) for scripts; Ctrl-C stops everything it started.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { startRuntime } from './runtime.ts';

const LOCAL_DIR = '.local';
const LOCK_FILE = `${LOCAL_DIR}/runtime.lock.json`;

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    'in-memory': { type: 'boolean', default: false },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number, got ${values.port}`);
  process.exit(2);
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A second start while one runs fails with a sentence, not a port-clash stack trace. */
function refuseSecondStart(): void {
  if (!existsSync(LOCK_FILE)) return;
  const lock = JSON.parse(readFileSync(LOCK_FILE, 'utf8')) as { pid: number; baseUrl: string };
  if (running(lock.pid)) {
    console.error(
      `The local runtime is already running (pid ${lock.pid}) at ${lock.baseUrl}. Stop it with Ctrl-C first.`,
    );
    process.exit(1);
  }
  rmSync(LOCK_FILE, { force: true });
}

function portIsFree(candidate: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(candidate, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

refuseSecondStart();
if (port !== 0 && !(await portIsFree(port))) {
  console.error(
    `Port ${port} is already in use by another program. Choose another: npm start -- --port 4000`,
  );
  process.exit(1);
}
mkdirSync(LOCAL_DIR, { recursive: true });

const runtime = await startRuntime({
  port,
  ...(values['in-memory'] ? {} : { dataDir: `${LOCAL_DIR}/dynamodb` }),
});
writeFileSync(LOCK_FILE, JSON.stringify({ pid: process.pid, baseUrl: runtime.baseUrl }));
writeFileSync(
  `${LOCAL_DIR}/endpoints.json`,
  `${JSON.stringify({ baseUrl: runtime.baseUrl, dynamoDbEndpoint: runtime.dynamoEndpoint, tableName: runtime.tableName, keys: runtime.keys }, null, 2)}\n`,
);

const ops = runtime.keys.find((k) => k.role === 'ops');
const partner = runtime.keys.find((k) => k.role === 'partner');
console.log(`
Change management is running locally.

  API        ${runtime.baseUrl}
  DynamoDB   ${runtime.dynamoEndpoint} (table ${runtime.tableName}${values['in-memory'] ? ', in memory' : `, data in ${LOCAL_DIR}/dynamodb`})
  Endpoints  ${LOCAL_DIR}/endpoints.json

API keys:
${runtime.keys.map((k) => `  ${k.key.padEnd(28)} ${k.role.padEnd(8)} ${k.partnerId ?? ''}`).join('\n')}

Try:
  curl -s -H 'x-api-key: ${partner?.key}' ${runtime.baseUrl}/customers
  curl -s -X POST -H 'x-api-key: ${ops?.key}' -H 'content-type: application/json' \\
    -d '{"customerId":"globex","partnerId":"acme-voice","type":"configuration","title":"Dial plan update","disruptsCalling":true}' \\
    ${runtime.baseUrl}/changes

Ctrl-C stops everything.
`);

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping ...`);
  await runtime.stop();
  rmSync(LOCK_FILE, { force: true });
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
