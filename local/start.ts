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
import { Command, Option } from 'commander';
import { parse, parseCommandLine } from '#cli/usage.ts';
import { type Runtime, RuntimeStartRefused, startRuntime } from './runtime.ts';

const LOCAL_DIR = '.local';
const LOCK_FILE = `${LOCAL_DIR}/runtime.lock.json`;

const command = new Command('npm start --')
  .description(
    'Runs the whole system on this machine: API, DynamoDB Local, the lifecycle workflow, the nightly schedules, a mail inbox.',
  )
  .addOption(
    new Option('--port <port>', 'the API port (0: any free port)')
      .env('PORT')
      .default(3000)
      .argParser(parse.port),
  )
  .addOption(
    new Option('--mail-port <port>', 'the local SES endpoint and web inbox')
      .env('MAIL_PORT')
      .default(3001)
      .argParser(parse.port),
  )
  .option('--in-memory', `keep nothing between runs (default: data in ${LOCAL_DIR}/dynamodb)`)
  .option(
    '--clock-start <instant>',
    'where the local clock starts (default: where it was with kept data, else now); never before the kept data',
    parse.instant,
  )
  .option(
    '--clock-speed <n>',
    'local seconds per real second; 0 freezes the clock (default: 1, or the speed it had with kept data)',
    parse.nonNegative,
  )
  .option('--trace', 'print every workflow state entered')
  .addHelpText(
    'after',
    `
Writes ${LOCAL_DIR}/endpoints.json (base URL, inbox, keys) for scripts, the demo and the CLI.
Ctrl-C stops everything it started.

Examples:
  npm start -- --port 4000 --mail-port 4001
  npm start -- --in-memory --clock-start 2026-12-01T08:00:00Z --clock-speed 60`,
  );
const stopEarly = await parseCommandLine(command, process.argv.slice(2));
if (stopEarly !== undefined) process.exit(stopEarly);
const values = command.opts<{
  port: number;
  mailPort: number;
  inMemory?: boolean;
  clockStart?: string;
  clockSpeed?: number;
  trace?: boolean;
}>();
const { port, mailPort, clockSpeed } = values;

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

console.log(
  `Starting the local system (${values.inMemory ? 'in memory' : `data in ${LOCAL_DIR}/dynamodb`}) ...`,
);
let runtime: Runtime;
try {
  runtime = await startRuntime({
    port,
    mailPort,
    ...(clockSpeed === undefined ? {} : { clockSpeed }),
    traceWorkflow: values.trace ?? false,
    printEvents: true,
    printJobs: true,
    onProgress: (line) => console.log(line),
    ...(values.clockStart ? { clockStart: values.clockStart } : {}),
    ...(values.inMemory ? {} : { dataDir: `${LOCAL_DIR}/dynamodb` }),
  });
} catch (error) {
  if (!(error instanceof RuntimeStartRefused)) throw error;
  console.error(error.message);
  process.exit(1);
}
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
  DynamoDB   ${runtime.dynamoEndpoint} (table ${runtime.tableName}${values.inMemory ? ', in memory' : `, data in ${LOCAL_DIR}/dynamodb`})
  Inbox      ${runtime.mail.inboxUrl} (every e-mail the system sends; JSON at ${runtime.mail.storeUrl})
  Clock      ${runtime.clock.describe().now} at ${runtime.clock.describe().speed}x${runtime.clockResumed ? ' (resumed where the kept data left it)' : ''}; move it: curl -X POST ${runtime.adminUrl}/clock -d '{"advance":"PT24H"}'
  Demo data  epoch ${runtime.demoEpoch} (certificate expiries and the backup history count from it); a demo: npm run demo
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
