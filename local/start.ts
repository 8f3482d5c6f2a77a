/**
 * `npm start`: runs the whole system locally and prints how to reach it.
 *
 *   npm start                      API on http://localhost:3000/v1, data kept in .local/dynamodb
 *   npm start -- --port 4000       another port (or PORT=4000)
 *   npm start -- --in-memory       nothing kept between runs
 *   npm start -- --clock-start 2026-12-01T08:00:00Z --clock-speed 60
 *                                  the local clock starts there and runs 60x real time
 *   npm start -- --mail-port 3025  the local SES endpoint and web inbox (default 3001)
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
    'clock-start': { type: 'string' },
    'clock-speed': { type: 'string', default: '1' },
    'mail-port': { type: 'string', default: process.env.MAIL_PORT ?? '3001' },
    trace: { type: 'boolean', default: false },
  },
});
const port = Number(values.port);
const mailPort = Number(values['mail-port']);
const clockSpeed = Number(values['clock-speed']);
for (const [flag, value] of [
  ['--port', port],
  ['--mail-port', mailPort],
] as const) {
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    console.error(`${flag} must be a port number, got ${value}`);
    process.exit(2);
  }
}
if (!Number.isFinite(clockSpeed) || clockSpeed < 0) {
  console.error(`--clock-speed must be a number >= 0, got ${values['clock-speed']}`);
  process.exit(2);
}
if (values['clock-start'] && Number.isNaN(Date.parse(values['clock-start']))) {
  console.error(`--clock-start must be an ISO instant, got ${values['clock-start']}`);
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
  mailPort,
  clockSpeed,
  traceWorkflow: values.trace,
  printEvents: true,
  printJobs: true,
  ...(values['clock-start'] ? { clockStart: values['clock-start'] } : {}),
  ...(values['in-memory'] ? {} : { dataDir: `${LOCAL_DIR}/dynamodb` }),
});
writeFileSync(LOCK_FILE, JSON.stringify({ pid: process.pid, baseUrl: runtime.baseUrl }));
writeFileSync(
  `${LOCAL_DIR}/endpoints.json`,
  `${JSON.stringify(
    {
      baseUrl: runtime.baseUrl,
      adminUrl: runtime.adminUrl,
      inboxUrl: runtime.mail.inboxUrl,
      mailStoreUrl: runtime.mail.storeUrl,
      sesEndpoint: runtime.mail.sesEndpoint,
      dynamoDbEndpoint: runtime.dynamoEndpoint,
      tableName: runtime.tableName,
      keys: runtime.keys,
    },
    null,
    2,
  )}\n`,
);

const ops = runtime.keys.find((k) => k.role === 'ops');
const partner = runtime.keys.find((k) => k.role === 'partner');
console.log(`
Change management is running locally.

  API        ${runtime.baseUrl}
  DynamoDB   ${runtime.dynamoEndpoint} (table ${runtime.tableName}${values['in-memory'] ? ', in memory' : `, data in ${LOCAL_DIR}/dynamodb`})
  Inbox      ${runtime.mail.inboxUrl} (every e-mail the system sends; JSON at ${runtime.mail.storeUrl})
  Clock      ${runtime.clock.describe().now} at ${runtime.clock.describe().speed}x; move it: curl -X POST ${runtime.adminUrl}/clock -d '{"advance":"PT24H"}'
  Jobs       ${Object.entries(runtime.scheduler.nextRuns())
    .map(([job, at]) => `${job} next ${at}`)
    .join('; ')}
             run one now: npm run job -- backup-retention
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
