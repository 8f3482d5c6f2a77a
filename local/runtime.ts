/**
 * The embedded default: the whole system on this machine, out of real parts.
 * - DynamoDB Local holds the same table the CDK app deploys; the demo data is seeded.
 * - The API is served through the same authorizer and handlers as in AWS.
 * - The lifecycle state machine extracted from the CDK app runs in aws-local-stepfunctions, every
 *   Task bound to the same Lambda handler code.
 * - SES calls land in a local mail store (a web inbox and JSON).
 * - One clock, settable and fast-forwardable, is "now" for the API, the workflow and the schedules.
 * `npm start` and the end-to-end tests both run this.
 *
 * The ports are wired once, here (local/wiring.ts), and handed to the same handler factories the
 * Lambdas are built from; nothing is passed through environment variables.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import { catalogApi } from '#api/catalog.ts';
import { changesApi } from '#api/changes.ts';
import { recordsApi } from '#api/records.ts';
import { authorizer } from '#auth/authorizer.ts';
import { JOB_NAMES, type JobName } from '#contract/schedules.ts';
import { UC_APPLICATIONS } from '#core/vocabulary.ts';
import { extractLifecycleDefinition } from '#infra/lifecycle-definition.ts';
import { TABLE_SCHEMA } from '#infra/table-schema.ts';
import { backupRetentionJob } from '#jobs/backup-retention.ts';
import { certificateScanJob } from '#jobs/certificate-scan.ts';
import { copUploadsJob } from '#jobs/cop-uploads.ts';
import { releaseScanJob } from '#jobs/release-scan.ts';
import { type LifecycleRequest, lifecycleTasks } from '#workflow/lifecycle.ts';
import { adminRoutes } from './admin.ts';
import { type LocalApi, startLocalApi } from './api-server.ts';
import { LocalClock } from './clock.ts';
import { LocalCopFolders, seedLocalCatalog } from './cop-folders.ts';
import { BACKUP_CRON, parseNight } from './demo-backups.ts';
import { ensureTable, localDynamoDbClient } from './dynamodb-client.ts';
import { type SupervisedDynamoDbLocal, superviseDynamoDbLocal } from './dynamodb-local.ts';
import { invokeLocally, JOB_TIMEOUT_MS } from './lambda-context.ts';
import { demoEpoch, keepClock, readLocalState } from './local-state.ts';
import { type LocalMailStore, startLocalMailStore } from './mail-store.ts';
import { progress } from './progress.ts';
import { LocalScheduler } from './scheduler.ts';
import { loadDemoData, recordDemoNight, seed } from './seed.ts';
import {
  LocalAlertPager,
  LocalEventLog,
  LocalLifecycleWorkflow,
  type LocalPorts,
  localPorts,
} from './wiring.ts';
import { LocalWorkflow } from './workflow/index.ts';

export interface RuntimeOptions {
  /** API port; 0 picks a free one. */
  port: number;
  /** Mail store (SES endpoint and web inbox) port; 0 picks a free one. @default 0 */
  mailPort?: number;
  /** Keep DynamoDB's data in this folder between runs; omitted = in memory. */
  dataDir?: string;
  tableName?: string;
  /** Demo data file to seed (default local/demo-data.json). */
  demoDataFile?: string;
  /** Where the local clock starts (ISO instant). @default the real now */
  clockStart?: string;
  /** Local seconds per real second (0 freezes the clock: only /local/clock moves it). @default 1 */
  clockSpeed?: number;
  /** Multiplies the workflow's retry intervals (tests shorten them). @default 1 */
  retryScale?: number;
  /** Log every workflow state entered. @default false */
  traceWorkflow?: boolean;
  /** Print every lifecycle event (as EventBridge would receive it). @default false */
  printEvents?: boolean;
  onDynamoOutput?: (text: string) => void;
  /** Extra local routes under /local/. */
  extraAdmin?: (method: string, path: string, body: Record<string, unknown>) => Promise<unknown | undefined>;
  /** Run the nightly schedules on the local clock. @default true */
  schedules?: boolean;
  /** Print each job run's counts. @default false */
  printJobs?: boolean;
  /** Told each start-up stage as it finishes, with its duration (npm start prints them). */
  onProgress?: (line: string) => void;
  /** Report each night's demo backups as the clock passes 02:00 UTC (with the schedules). @default true */
  demoBackups?: boolean;
}

export interface RunningKey {
  key: string;
  role: 'ops' | 'partner';
  partnerId?: string;
  name: string;
}

export interface Runtime {
  baseUrl: string;
  adminUrl: string;
  port: number;
  dynamoEndpoint: string;
  /** DynamoDB Local, restarted (and its table made again) when its Java process dies. */
  dynamo: SupervisedDynamoDbLocal;
  tableName: string;
  keys: RunningKey[];
  clock: LocalClock;
  mail: LocalMailStore;
  workflow: LocalWorkflow;
  scheduler: LocalScheduler;
  /** The ports the handlers run on. */
  ports: LocalPorts;
  /** The instant the demo data was first seeded: certificate expiries and the backup history hang on it. */
  demoEpoch: string;
  /** Whether the clock resumed where a previous run on the same data left it. */
  clockResumed: boolean;
  stop(): Promise<void>;
}

/** Start-up refused with a sentence for a person (e.g. a clock start before the kept data's time). */
export class RuntimeStartRefused extends Error {
  override name = 'RuntimeStartRefused';
}

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const tableName = options.tableName ?? TABLE_SCHEMA.localTableName;
  if (options.dataDir) mkdirSync(resolve(options.dataDir), { recursive: true });
  const stack: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stack.reverse()) await stop().catch(() => undefined);
  };
  const step = progress(options.onProgress).step;
  try {
    // Set once the store is ready: what a restarted DynamoDB Local needs before it serves again.
    let prepareRestartedStore = async () => {};
    const dynamo = await step(`DynamoDB Local ready${options.dataDir ? '' : ' (in memory)'}`, () =>
      superviseDynamoDbLocal({
        ...(options.dataDir ? { dataDir: resolve(options.dataDir) } : {}),
        ...(options.onDynamoOutput ? { onOutput: options.onDynamoOutput } : {}),
        onRestarted: () => prepareRestartedStore(),
      }),
    );
    stack.push(() => dynamo.stop());
    // With kept data the inbox is kept too, beside it (deleting the data forgets both).
    const mail = await step(`mail store and inbox${options.dataDir ? ' (kept)' : ''}`, () =>
      startLocalMailStore({
        port: options.mailPort ?? 0,
        ...(options.dataDir ? { journalFile: join(resolve(options.dataDir), 'inbox.jsonl') } : {}),
      }),
    );
    stack.push(() => mail.stop());
    await step(`table ${tableName}`, () => ensureTable(localDynamoDbClient(dynamo.endpoint), tableName));

    // With kept data the clock resumes where it was (and never goes back); in memory it starts anew.
    const stateTable = {
      documents: DynamoDBDocumentClient.from(localDynamoDbClient(dynamo.endpoint)),
      name: tableName,
    };
    const saved = options.dataDir ? await readLocalState(stateTable) : {};
    if (options.clockStart && saved.clockNow && Date.parse(options.clockStart) < Date.parse(saved.clockNow)) {
      throw new RuntimeStartRefused(
        `The kept data is at ${saved.clockNow}; --clock-start ${options.clockStart} would move its clock back. ` +
          'Give a later instant, or none to resume, or start with --in-memory.',
      );
    }
    const clockStart = options.clockStart ?? saved.clockNow;
    const clock = new LocalClock({
      ...(clockStart ? { start: clockStart } : {}),
      speed: options.clockSpeed ?? saved.clockSpeed ?? 1,
      forwardOnly: Boolean(options.dataDir),
    });
    stack.push(async () => clock.stop());
    const keeper = options.dataDir ? keepClock(stateTable, clock) : undefined;
    if (keeper) stack.push(() => keeper.stop());

    // The lifecycle: the definition the CDK app deploys, every Lambda bound to the same handler. The
    // handler needs the ports and the ports the runner, so the runner calls it through `tasks`.
    let tasks: ((event: LifecycleRequest) => Promise<unknown>) | undefined;
    const { definition, lambdaArns } = extractLifecycleDefinition();
    const workflow = new LocalWorkflow({
      definition,
      lambdaHandlers: Object.fromEntries(
        Object.values(lambdaArns).map((arn) => [
          arn,
          (event: unknown) => (tasks as NonNullable<typeof tasks>)(event as LifecycleRequest),
        ]),
      ),
      clock,
      retryScale: options.retryScale ?? 1,
      stateMachineName: 'ChangeLifecycle',
      ...(options.traceWorkflow
        ? {
            onEvent: (event) => {
              if (event.type === 'StateEntered')
                console.log(`[workflow] ${event.executionName}: ${event.state}`);
            },
          }
        : {}),
    });
    stack.push(async () => workflow.stopAll('runtime stopped'));

    // COP files: a local folder pair stands in for the catalog bucket and the customers' SFTP store.
    const copRoot = options.dataDir ? resolve(options.dataDir, '..') : mkdtempSync(join(tmpdir(), 'cop-'));
    const copFolders = { catalogDir: join(copRoot, 'cop-catalog'), sftpDir: join(copRoot, 'sftp') };
    const events = new LocalEventLog(options.printEvents ?? false);
    const ports: LocalPorts = localPorts({
      tableName,
      dynamoEndpoint: dynamo.endpoint,
      sesEndpoint: mail.sesEndpoint,
      clock,
      ports: {
        workflow: new LocalLifecycleWorkflow(workflow),
        events,
        // Alerts for people: a log line and an e-mail in the local inbox (SNS in AWS).
        pager: new LocalAlertPager(() => ports.mailer, clock),
        copFiles: new LocalCopFolders(copFolders),
      },
    });
    tasks = invokeLocally('lifecycle', lifecycleTasks(ports), 60_000);

    const demo = loadDemoData(options.demoDataFile);
    const startedAt = clock.now().toISO() as string;
    const epoch = DateTime.fromISO(options.dataDir ? await demoEpoch(stateTable, startedAt) : startedAt, {
      zone: 'utc',
    });
    await step(`demo data (${demo.partners.length} partners, ${demo.customers.length} customers)`, () =>
      seed(ports, demo, epoch, { now: clock.now() }),
    );
    prepareRestartedStore = async () => {
      await ensureTable(localDynamoDbClient(dynamo.endpoint), tableName);
      // In memory, a restart starts empty: seed the demo data again, as a fresh start does.
      if (!options.dataDir) await seed(ports, demo, epoch, { now: clock.now() });
    };

    // Executions live in memory: after a restart on kept data, every stored change's lifecycle
    // picks up again where its record says it is (a finished one ends at once).
    await step('lifecycle workflow', async () => {
      for (const change of await ports.changes.queryAll({ kind: 'all' })) await ports.workflow.start(change);
    });

    // The nightly jobs: the same handlers, on the same cron expressions, on the local clock.
    await seedLocalCatalog(copFolders.catalogDir, ports.policy);
    // The demo's backup system reports each night at 02:00 UTC, on the scheduler's time line so that a
    // night's reports are stored before that day's 11:30 retention run looks, even across a jump.
    const forcedBackupFailures = new Set<string>();
    const demoBackups = {
      name: 'demo-backups',
      cron: BACKUP_CRON,
      run: async (event: { time?: string }) => {
        const forced = new Set(forcedBackupFailures);
        forcedBackupFailures.clear();
        const { night, failed } = await recordDemoNight(
          ports,
          demo,
          parseNight(event.time as string),
          epoch,
          forced,
        );
        return {
          night,
          failed,
          counts: { reported: demo.customers.length * UC_APPLICATIONS.length, failed: failed.length },
        };
      },
    };
    const scheduler = new LocalScheduler({
      clock,
      ...(options.demoBackups === false ? {} : { localSchedules: [demoBackups] }),
      jobs: {
        'backup-retention': invokeLocally('backup-retention', backupRetentionJob(ports), JOB_TIMEOUT_MS),
        'cop-uploads': invokeLocally('cop-uploads', copUploadsJob(ports), JOB_TIMEOUT_MS),
        'certificate-scan': invokeLocally('certificate-scan', certificateScanJob(ports), JOB_TIMEOUT_MS),
        'release-scan': invokeLocally('release-scan', releaseScanJob(ports), JOB_TIMEOUT_MS),
      },
      onRun: (job, outcome) => {
        if (outcome.error) console.error(`[job] ${job} (${outcome.time}) failed: ${outcome.error.message}`);
        else if (options.printJobs)
          console.log(
            `[job] ${job} (${outcome.time}): ${JSON.stringify((outcome.summary as { counts?: unknown })?.counts ?? {})}`,
          );
      },
    });
    if (options.schedules !== false) await step('nightly schedules', () => scheduler.start());
    stack.push(async () => scheduler.stop());
    const jobRoutes = async (method: string, path: string, body: Record<string, unknown>) => {
      if (method === 'POST' && path === '/local/backups/fail') {
        const { customerId, application } = body;
        if (
          !demo.customers.some((c) => c.customerId === customerId) ||
          !(UC_APPLICATIONS as readonly unknown[]).includes(application)
        )
          throw new Error(
            `name a demo customer and an application: {"customerId":"initech","application":"${UC_APPLICATIONS[1]}"}`,
          );
        forcedBackupFailures.add(`${customerId}/${application}`);
        return { nextNightFails: [...forcedBackupFailures] };
      }
      const job = /^\/local\/jobs\/([a-z-]+)$/.exec(path)?.[1];
      if (method === 'GET' && path === '/local/jobs')
        return { nextRuns: scheduler.nextRuns(), catchingUp: scheduler.busy() };
      if (method !== 'POST' || !job) return options.extraAdmin?.(method, path, body);
      if (!(JOB_NAMES as readonly string[]).includes(job))
        throw new Error(`no job ${job}: ${JOB_NAMES.join(', ')}`);
      return scheduler.run(job as JobName, body);
    };

    const api: LocalApi = await step('API', () =>
      startLocalApi({
        port: options.port,
        handlers: { changes: changesApi(ports), catalog: catalogApi(ports), records: recordsApi(ports) },
        authorizer: authorizer(ports),
        admin: adminRoutes({
          clock,
          workflow,
          mail,
          events: () => events.published,
          extra: jobRoutes,
          ...(keeper ? { onClockMoved: () => keeper.touched() } : {}),
        }),
      }),
    );
    stack.push(() => api.close());
    return {
      baseUrl: api.baseUrl,
      adminUrl: `http://localhost:${api.port}/local`,
      port: api.port,
      dynamoEndpoint: dynamo.endpoint,
      dynamo,
      tableName,
      keys: demo.apiKeys.map((k) => ({ ...k })),
      clock,
      mail,
      workflow,
      scheduler,
      ports,
      demoEpoch: epoch.toISO() as string,
      clockResumed: !options.clockStart && Boolean(saved.clockNow),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
