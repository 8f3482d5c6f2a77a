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
 * Modules that create AWS clients read their endpoints from the environment when first loaded,
 * so they are imported only after the environment points at the local services.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { JOB_NAMES, type JobName } from '#contract/schedules.ts';
import { extractLifecycleDefinition } from '#infra/lifecycle-definition.ts';
import { TABLE_SCHEMA } from '#infra/table-schema.ts';
import { adminRoutes } from './admin.ts';
import { type LocalApi, startLocalApi } from './api-server.ts';
import { LocalClock } from './clock.ts';
import { ensureTable, localDynamoDbClient } from './dynamodb-client.ts';
import { type SupervisedDynamoDbLocal, superviseDynamoDbLocal } from './dynamodb-local.ts';
import { type LocalMailStore, startLocalMailStore } from './mail-store.ts';
import { LocalScheduler } from './scheduler.ts';
import { ExecutionAlreadyExists, LocalWorkflow, TaskDoesNotExist } from './workflow/index.ts';

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
  stop(): Promise<void>;
}

const OPS_ALERT_ADDRESS = 'ops-alerts@provider.example';

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const tableName = options.tableName ?? TABLE_SCHEMA.localTableName;
  if (options.dataDir) mkdirSync(resolve(options.dataDir), { recursive: true });
  const stack: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stack.reverse()) await stop().catch(() => undefined);
  };
  try {
    // Set once the store is ready: what a restarted DynamoDB Local needs before it serves again.
    let prepareRestartedStore = async () => {};
    const dynamo = await superviseDynamoDbLocal({
      ...(options.dataDir ? { dataDir: resolve(options.dataDir) } : {}),
      ...(options.onDynamoOutput ? { onOutput: options.onDynamoOutput } : {}),
      onRestarted: () => prepareRestartedStore(),
    });
    stack.push(() => dynamo.stop());
    const mail = await startLocalMailStore({ port: options.mailPort ?? 0 });
    stack.push(() => mail.stop());

    process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
    process.env.SES_ENDPOINT = mail.sesEndpoint;
    // COP files: a local folder pair stands in for the catalog bucket and the customers' SFTP store.
    const copRoot = options.dataDir ? resolve(options.dataDir, '..') : mkdtempSync(join(tmpdir(), 'cop-'));
    process.env.COP_CATALOG_DIR = join(copRoot, 'cop-catalog');
    process.env.COP_SFTP_DIR = join(copRoot, 'sftp');
    process.env.TABLE_NAME = tableName;
    process.env.AWS_REGION ??= 'us-east-1';
    process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
    process.env.LOG_LEVEL ??= 'WARN';
    await ensureTable(localDynamoDbClient(dynamo.endpoint), tableName);

    const clock = new LocalClock({
      ...(options.clockStart ? { start: options.clockStart } : {}),
      speed: options.clockSpeed ?? 1,
    });
    stack.push(async () => clock.stop());
    const { installClock } = await import('#adapters/clock.ts');
    installClock(clock);

    const { loadDemoData, seed } = await import('./seed.ts');
    const demo = loadDemoData(options.demoDataFile);
    await seed(demo, clock.now());
    prepareRestartedStore = async () => {
      await ensureTable(localDynamoDbClient(dynamo.endpoint), tableName);
      // In memory, a restart starts empty: seed the demo data again, as a fresh start does.
      if (!options.dataDir) await seed(demo, clock.now());
    };

    const [changes, catalog, records, authorizer, lifecycle, workflowPort, alerts, mailer, store, events] =
      await Promise.all([
        import('#api/changes.ts'),
        import('#api/catalog.ts'),
        import('#api/records.ts'),
        import('#auth/authorizer.ts'),
        import('#workflow/lifecycle.ts'),
        import('#adapters/workflow.ts'),
        import('#adapters/alerts.ts'),
        import('#adapters/mailer.ts'),
        import('#adapters/store/change-store.ts'),
        import('#adapters/events.ts'),
      ]);

    // Lifecycle events (EventBridge in AWS): printed, and kept for GET /local/events.
    const published: unknown[] = [];
    events.installEventSink((detail) => {
      published.push(detail);
      if (published.length > 10_000) published.shift();
      if (options.printEvents)
        console.log(`[event] ${detail.at} ${detail.changeId} ${detail.event} by ${detail.actor}`);
    });

    // The lifecycle: the definition the CDK app deploys, every Lambda bound to the same handler.
    const { definition, lambdaArns } = extractLifecycleDefinition();
    const workflow = new LocalWorkflow({
      definition,
      lambdaHandlers: Object.fromEntries(
        Object.values(lambdaArns).map((arn) => [arn, lifecycle.handler as never]),
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
    workflowPort.installWorkflow({
      async startLifecycle(change) {
        try {
          workflow.start(change.changeId, { changeId: change.changeId });
        } catch (error) {
          if (!(error instanceof ExecutionAlreadyExists)) throw error;
        }
      },
      async resume(token, output) {
        try {
          workflow.sendTaskSuccess(token, output);
        } catch (error) {
          if (!(error instanceof TaskDoesNotExist)) throw error;
        }
      },
    });

    // Alerts for people: a log line and an e-mail in the local inbox (SNS in AWS).
    alerts.installAlertSink(async (alert) => {
      console.warn(`[alert ${alert.priority}] ${alert.subject} (respond by ${alert.respondBy})`);
      await mailer.mailer().send({
        from: 'alerts@provider.example',
        to: [OPS_ALERT_ADDRESS],
        subject: `[${alert.priority}] ${alert.subject}`,
        text: `${alert.subject}\n\nRespond by: ${alert.respondBy}\n\n${JSON.stringify(alert.detail, null, 2)}\n`,
        html: `<p>${alert.subject}</p><p>Respond by: ${alert.respondBy}</p><pre>${JSON.stringify(alert.detail, null, 2).replaceAll('<', '&lt;')}</pre>`,
        date: clock.now().toJSDate(),
      });
    });

    // Executions live in memory: after a restart on kept data, every stored change's lifecycle
    // picks up again where its record says it is (a finished one ends at once).
    let nextToken: string | undefined;
    do {
      const page = await store.queryChanges({ scope: { kind: 'all' }, limit: 100, nextToken });
      for (const change of page.items) await workflowPort.workflow().startLifecycle(change);
      nextToken = page.nextToken;
    } while (nextToken);

    // The nightly jobs: the same handlers, on the same cron expressions, on the local clock.
    const [copFiles, policySource, retention, cop, certificates, releases] = await Promise.all([
      import('#adapters/cop-files.ts'),
      import('#adapters/policy-source.ts'),
      import('#jobs/backup-retention.ts'),
      import('#jobs/cop-uploads.ts'),
      import('#jobs/certificate-scan.ts'),
      import('#jobs/release-scan.ts'),
    ]);
    await copFiles.seedLocalCatalog(process.env.COP_CATALOG_DIR as string, policySource.policy);
    const scheduler = new LocalScheduler({
      clock,
      jobs: {
        'backup-retention': retention.handler,
        'cop-uploads': cop.handler,
        'certificate-scan': certificates.handler,
        'release-scan': releases.handler,
      },
      onRun: (job, outcome) => {
        if (outcome.error) console.error(`[job] ${job} (${outcome.time}) failed: ${outcome.error.message}`);
        else if (options.printJobs)
          console.log(
            `[job] ${job} (${outcome.time}): ${JSON.stringify((outcome.summary as { counts?: unknown })?.counts ?? {})}`,
          );
      },
    });
    if (options.schedules !== false) scheduler.start();
    stack.push(async () => scheduler.stop());
    const jobRoutes = async (method: string, path: string, body: Record<string, unknown>) => {
      const job = /^\/local\/jobs\/([a-z-]+)$/.exec(path)?.[1];
      if (method === 'GET' && path === '/local/jobs') return { nextRuns: scheduler.nextRuns() };
      if (method !== 'POST' || !job) return options.extraAdmin?.(method, path, body);
      if (!(JOB_NAMES as readonly string[]).includes(job))
        throw new Error(`no job ${job}: ${JOB_NAMES.join(', ')}`);
      return scheduler.run(job as JobName, body);
    };

    const api: LocalApi = await startLocalApi({
      port: options.port,
      handlers: { changes: changes.handler, catalog: catalog.handler, records: records.handler },
      authorizer: authorizer.handler,
      admin: adminRoutes({
        clock,
        workflow,
        mail,
        events: () => published,
        extra: jobRoutes,
      }),
    });
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
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
