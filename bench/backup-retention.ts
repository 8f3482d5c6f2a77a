/**
 * The nightly backup retention job over 100,000 backup records (5,000 customers x 5 applications x
 * 4 nights) in DynamoDB Local (in memory). Goal (from the issue): under 60 s and under 256 MB on this
 * 2-core machine.
 *
 *   npx tsx bench/backup-retention.ts [customers=5000]
 *
 * 1. Seeds the customers (the items putCustomer writes) and their backup results (the items putBackup
 *    writes: each with its class as it was when recorded, 10 minutes after it was taken) with
 *    BatchWriteItem, 16 requests in flight. One customer application in 100 failed last night.
 * 2. Runs the job as deployed (the esbuild bundle, on plain Node) in a child process of its own, so
 *    its memory figures are the job's, not the seeding's or tsx's; samples process.memoryUsage()
 *    every 100 ms; then runs it again (nothing left to write).
 * The machine's load average is printed with the figures: DynamoDB Local and the job share 2 cores.
 *
 * Knobs: BENCH_MEMORY_MB (the function memory the job's V8 heap is sized for, default 256; 0 = Node's
 * defaults for this machine), BENCH_JOB_NODE_FLAGS (extra Node flags for the job process),
 * BENCH_JVM_ARGS (DynamoDB Local's JVM options instead of the default).
 *
 * What the first run has to write: each application's oldest night is no longer one of the 3 latest
 * good backups (24,750 updates to EXTENDED: all but the 250 applications whose last night failed,
 * where it still is), and a NO_GOOD_BACKUP alert for each of those 250 failed nights.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// A log line per page would cost more than the work measured.
process.env.LOG_LEVEL ??= 'ERROR';

const AT = '2026-11-23T11:30:00Z';
const TABLE = 'bench-backup-retention';

interface RunReport {
  label: string;
  wallMs: number;
  peakRssMb: number;
  peakHeapMb: number;
  peakHeapTotalMb: number;
  peakExternalMb: number;
  /** CPU seconds of the job's process and of DynamoDB Local's Java process during the run. */
  cpuSeconds: number;
  javaCpuSeconds: number;
  counts: Record<string, number>;
}

// The job process runs this file's esbuild bundle, built with BENCH_ROLE defined as "job": the
// condition folds and esbuild drops main() and the seeding (and everything they import) from it.
if (process.env.BENCH_ROLE === 'job') {
  await runJobs();
} else {
  await main();
}

async function main(): Promise<void> {
  const { printLoad } = await import('./support.ts');
  printLoad('start', 'backup-retention');
  const customers = Number(process.argv[2] ?? 5000);
  const jvmArgs = process.env.BENCH_JVM_ARGS?.split(' ').filter(Boolean);
  const { startDynamoDbLocal } = await import('#local/dynamodb-local.ts');
  const { ensureTable, localDynamoDbClient } = await import('#local/dynamodb-client.ts');
  const dynamo = await startDynamoDbLocal({ port: 0, ...(jvmArgs ? { jvmArgs } : {}) });
  try {
    await ensureTable(localDynamoDbClient(dynamo.endpoint), TABLE);
    console.log(`DynamoDB Local ready on ${dynamo.endpoint} in ${(dynamo.startupMs / 1000).toFixed(2)} s`);

    const seeded = await seed(dynamo.endpoint, customers);
    console.log(
      `seeded ${seeded.customers} customers and ${seeded.backups} backup records in ${(seeded.ms / 1000).toFixed(1)} s ` +
        `(${Math.round(((seeded.customers + seeded.backups) / seeded.ms) * 1000)} items/s, BatchWriteItem x16)`,
    );

    const load = () =>
      loadavg()
        .map((l) => l.toFixed(1))
        .join(' ');
    console.log(`load average before the job: ${load()}`);
    const reports = await inChild(dynamo.endpoint, dynamo.pid);
    for (const report of reports) {
      const records = report.counts.records ?? 0;
      console.log(
        `${report.label}: ${records} records in ${(report.wallMs / 1000).toFixed(1)} s ` +
          `(${Math.round((records / report.wallMs) * 1000)} records/s), ` +
          `peak RSS ${report.peakRssMb.toFixed(0)} MB, peak heap used ${report.peakHeapMb.toFixed(0)} MB ` +
          `(heap total ${report.peakHeapTotalMb.toFixed(0)} MB, external ${report.peakExternalMb.toFixed(0)} MB); ` +
          `CPU ${report.cpuSeconds.toFixed(1)} s job, ${report.javaCpuSeconds.toFixed(1)} s DynamoDB Local`,
      );
      console.log(`  counts ${JSON.stringify(report.counts)}`);
    }
    const [run, , floorRun] = reports;
    if (run && floorRun) {
      const { recordFigure } = await import('./support.ts');
      recordFigure({
        figure: `retention job, ${run.counts.records ?? 0} records`,
        value: run.wallMs / 1000,
        unit: 's',
        floor: 'raw queries + batch writes',
        floorValue: floorRun.wallMs / 1000,
        goal: '< 60 s',
        met: run.wallMs < 60_000,
      });
      console.log(
        `first run / floor: ${(run.wallMs / floorRun.wallMs).toFixed(2)}x (${(run.wallMs / 1000).toFixed(1)} s against ${(floorRun.wallMs / 1000).toFixed(1)} s)`,
      );
    }
    console.log(`load average after the job: ${load()}`);
    console.log(`DynamoDB Local (Java) RSS at the end: ${javaRssMb(dynamo.pid)} MB (not part of the job)`);
    const first = reports[0];
    if (!first || first.wallMs >= 60_000 || first.peakRssMb >= 256) process.exitCode = 1;
  } finally {
    await dynamo.stop();
    printLoad('end', 'backup-retention');
  }
}

/** Customers and backups, written as putCustomer and putBackup write them. */
async function seed(
  endpoint: string,
  customerCount: number,
): Promise<{ customers: number; backups: number; ms: number }> {
  const { BatchWriteCommand } = await import('@aws-sdk/lib-dynamodb');
  const { dynamoDbDocuments } = await import('#adapters/aws-clients.ts');
  const { keys, indexKeys } = await import('#adapters/dynamodb/keys.ts');
  const { backupItem } = await import('#adapters/dynamodb/backup-store.ts');
  const { DEFAULT_POLICY: policy } = await import('#core/policy.ts');
  const { classifyBackups } = await import('#core/retention.ts');
  const { DateTime } = await import('luxon');
  type BackupResult = import('#core/retention.ts').BackupResult;
  const documents = dynamoDbDocuments({ region: 'us-east-1', endpoint });

  const at = DateTime.fromISO(AT, { zone: 'utc' });
  const nights = [3, 2, 1, 0].map((daysAgo) => at.startOf('day').minus({ days: daysAgo }).plus({ hours: 7 }));
  const applications = policy.backups.applications;
  let backups = 0;

  function* items(): Generator<Record<string, unknown>> {
    for (let c = 0; c < customerCount; c++) {
      const customerId = `cust-${String(c).padStart(5, '0')}`;
      const partnerId = `partner-${c % 50}`;
      yield {
        ...keys.customer(customerId),
        ...indexKeys.partnerCustomers(partnerId, customerId),
        ...indexKeys.allCustomers(customerId),
        entity: 'customer',
        customerId,
        partnerId,
        name: `Customer ${c}`,
        region: (['AMER', 'APJC', 'AUS', 'EU'] as const)[c % 4],
        version: '15.0 SU2',
        sso: false,
        contacts: [{ email: `it@${customerId}.example` }],
      };
      for (const [a, application] of applications.entries()) {
        const history: BackupResult[] = [];
        for (const [n, takenAt] of nights.entries()) {
          const lastNightFailed = n === nights.length - 1 && (c * applications.length + a) % 100 === 0;
          const recordedAt = takenAt.plus({ minutes: 10 });
          const result: BackupResult = {
            backupId: `bkp_${customerId}_${application}_${n}`,
            customerId,
            application,
            takenAt: takenAt.toISO({ suppressMilliseconds: true }) as string,
            status: lastNightFailed ? 'failed' : 'succeeded',
            sizeBytes: 1_500_000_000 + ((c * 7919 + a * 104_729 + n) % 500_000_000),
            recordedAt: recordedAt.toISO({ suppressMilliseconds: true }) as string,
          };
          history.push(result);
          // Its class when it was recorded, as POST /v1/backups stores it.
          const c0 = classifyBackups(policy, history, recordedAt).at(-1);
          backups++;
          yield backupItem(result, {
            retention: c0?.retention ?? 'EXPIRED',
            ...(c0?.expiresAt ? { expiresAt: c0.expiresAt } : {}),
          });
        }
      }
    }
  }

  const source = items();
  const started = performance.now();
  let written = 0;
  const writer = async () => {
    for (;;) {
      const batch: Record<string, unknown>[] = [];
      for (let next = source.next(); !next.done; next = source.next()) {
        batch.push(next.value);
        if (batch.length === 25) break;
      }
      if (batch.length === 0) return;
      let requests = batch.map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 0) await new Promise((done) => setTimeout(done, Math.min(1000, 20 * 2 ** attempt)));
        const result = await documents.send(new BatchWriteCommand({ RequestItems: { [TABLE]: requests } }));
        requests = (result.UnprocessedItems?.[TABLE] ?? []) as typeof requests;
      }
      written += batch.length;
    }
  };
  await Promise.all(Array.from({ length: 16 }, writer));
  const ms = performance.now() - started;
  return { customers: written - backups, backups, ms };
}

/**
 * V8's heap sized for a function of BENCH_MEMORY_MB (default 256) as the Lambda Node.js bootstrap
 * sizes it: new space a tenth of the memory (two semi-spaces), old space the rest. Without these
 * flags Node sizes the heap from this machine's 24 GB (a 4 GB limit) and lets garbage pile up far
 * past what the job keeps alive. BENCH_MEMORY_MB=0 runs with Node's defaults.
 */
function heapFlags(): string[] {
  const memoryMb = Number(process.env.BENCH_MEMORY_MB ?? 256);
  if (!(memoryMb > 0)) return [];
  const newSpace = Math.floor(memoryMb / 10);
  return [`--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMb - newSpace}`];
}

/**
 * Runs the job as Lambda runs it: this file bundled by esbuild with the options of the functions'
 * bundling (infra/constructs/service-function.ts: ESM, node24, minified, source maps, the AWS SDK
 * bundled), on plain Node with `--enable-source-maps`, in a fresh process; returns its reports.
 * (Under tsx the loader alone adds ~45 MB of RSS that a deployed function does not carry.)
 */
async function inChild(endpoint: string, javaPid: number): Promise<RunReport[]> {
  const { build } = await import('esbuild');
  const { LAMBDA_BUILD_OPTIONS } = await import('#infra/bundling.ts');
  const dir = mkdtempSync(join(tmpdir(), 'bench-backup-retention-'));
  const bundle = join(dir, 'index.mjs');
  try {
    await build({
      entryPoints: [fileURLToPath(import.meta.url)],
      outfile: bundle,
      ...LAMBDA_BUILD_OPTIONS,
      define: { 'process.env.BENCH_ROLE': '"job"' },
    });
    const flags = [...heapFlags(), ...(process.env.BENCH_JOB_NODE_FLAGS?.split(' ').filter(Boolean) ?? [])];
    console.log(`job process: ${['node', '--enable-source-maps', ...flags, '<esbuild bundle>'].join(' ')}`);
    return await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--enable-source-maps', ...flags, bundle], {
        env: {
          ...process.env,
          BENCH_DYNAMODB_ENDPOINT: endpoint,
          BENCH_JAVA_PID: String(javaPid),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
      });
      child.once('error', reject);
      child.once('exit', (code) => {
        const line = output.split('\n').find((l) => l.startsWith('REPORTS '));
        if (code !== 0 || !line) reject(new Error(`job process exited with ${code}\n${output}`));
        else resolve(JSON.parse(line.slice('REPORTS '.length)) as RunReport[]);
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runJobs(): Promise<void> {
  const { backupRetentionJob } = await import('#jobs/backup-retention.ts');
  const { localPorts } = await import('#local/wiring.ts');
  const { JOB_TIMEOUT_MS, lambdaContext } = await import('#local/lambda-context.ts');
  const { systemClock } = await import('#adapters/system.ts');
  // The job talks to the table and raises alerts; nothing else may be used.
  const idle = async () => undefined;
  const unused = async () => {
    throw new Error('the retention job does not use this port');
  };
  const ports = localPorts({
    tableName: TABLE,
    dynamoEndpoint: process.env.BENCH_DYNAMODB_ENDPOINT as string,
    clock: systemClock,
    ports: {
      mailer: { send: unused },
      workflow: { start: unused, resume: unused },
      events: { publish: unused },
      pager: { page: idle },
      copFiles: { copyToCustomer: unused },
    },
  });
  const handler = backupRetentionJob(ports);
  const javaPid = Number(process.env.BENCH_JAVA_PID);
  const reports: RunReport[] = [];
  for (const label of ['retention job', 're-run (nothing left to write)']) {
    globalThis.gc?.();
    let peakRss = 0;
    let peakHeap = 0;
    let peakHeapTotal = 0;
    let peakExternal = 0;
    const sample = () => {
      const usage = process.memoryUsage();
      peakRss = Math.max(peakRss, usage.rss);
      peakHeap = Math.max(peakHeap, usage.heapUsed);
      peakHeapTotal = Math.max(peakHeapTotal, usage.heapTotal);
      peakExternal = Math.max(peakExternal, usage.external);
    };
    sample();
    const timer = setInterval(sample, 100);
    const started = performance.now();
    const cpu = process.cpuUsage();
    const javaCpu = javaCpuSeconds(javaPid);
    const summary = await handler({ time: AT }, lambdaContext('backup-retention', JOB_TIMEOUT_MS));
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    clearInterval(timer);
    sample();
    reports.push({
      label,
      wallMs,
      peakRssMb: peakRss / 2 ** 20,
      peakHeapMb: peakHeap / 2 ** 20,
      peakHeapTotalMb: peakHeapTotal / 2 ** 20,
      peakExternalMb: peakExternal / 2 ** 20,
      cpuSeconds: (used.user + used.system) / 1e6,
      javaCpuSeconds: javaCpuSeconds(javaPid) - javaCpu,
      counts: summary.counts,
    });
  }
  reports.push(await floor(ports, reports[0]?.counts ?? {}));
  console.log(`REPORTS ${JSON.stringify(reports)}`);
}

/**
 * The floor of the first run, in the same process: the raw reads and writes it cannot do without, at
 * the job's concurrency. Every customer page of the listing, every customer's records queried (the same
 * projection), and as many items written with BatchWriteItem (25 a request) as the run changed
 * (reclassified + dropped), to keys of their own. No classification, no conditions, no alerts.
 */
async function floor(
  ports: import('#local/wiring.ts').LocalPorts,
  counts: Record<string, number>,
): Promise<RunReport> {
  const { BatchWriteCommand, QueryCommand } = await import('@aws-sdk/lib-dynamodb');
  const { CUSTOMER_CONCURRENCY } = await import('#app/jobs/backup-retention.ts');
  const { documents, name: TableName } = ports.table;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const javaCpu = javaCpuSeconds(Number(process.env.BENCH_JAVA_PID));
  let records = 0;
  const customers: string[] = [];
  let after: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new QueryCommand({
        TableName,
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': 'CUSTOMERS' },
        Limit: 100,
        ExclusiveStartKey: after,
      }),
    );
    for (const item of page.Items ?? []) customers.push(String(item.customerId));
    after = page.LastEvaluatedKey;
  } while (after);
  let next = 0;
  await Promise.all(
    Array.from({ length: CUSTOMER_CONCURRENCY }, async () => {
      for (let i = next++; i < customers.length; i = next++) {
        let start: Record<string, unknown> | undefined;
        do {
          const page = await documents.send(
            new QueryCommand({
              TableName,
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': `BACKUPS#${customers[i]}` },
              ProjectionExpression:
                'backupId, customerId, application, takenAt, #status, #retention, expiresAt, expiredAt',
              ExpressionAttributeNames: { '#status': 'status', '#retention': 'retention' },
              ExclusiveStartKey: start,
            }),
          );
          records += page.Count ?? 0;
          start = page.LastEvaluatedKey;
        } while (start);
      }
    }),
  );
  const writes = (counts.reclassified ?? 0) + (counts.dropped ?? 0);
  let batch = 0;
  await Promise.all(
    Array.from({ length: CUSTOMER_CONCURRENCY }, async () => {
      for (let b = batch++; b * 25 < writes; b = batch++) {
        let requests = Array.from({ length: Math.min(25, writes - b * 25) }, (_, k) => ({
          PutRequest: {
            Item: { pk: `BENCHFLOOR#${b}`, sk: String(k), retention: 'EXTENDED', expiresAt: AT },
          },
        }));
        while (requests.length > 0) {
          const result = await documents.send(
            new BatchWriteCommand({ RequestItems: { [TableName]: requests } }),
          );
          requests = (result.UnprocessedItems?.[TableName] ?? []) as typeof requests;
        }
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  return {
    label: 'floor (raw queries of every record, batch writes of the changed ones)',
    wallMs: performance.now() - started,
    peakRssMb: 0,
    peakHeapMb: 0,
    peakHeapTotalMb: 0,
    peakExternalMb: 0,
    cpuSeconds: (used.user + used.system) / 1e6,
    javaCpuSeconds: javaCpuSeconds(Number(process.env.BENCH_JAVA_PID)) - javaCpu,
    counts: { customers: customers.length, records, writes },
  };
}

function javaRssMb(pid: number): string {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return Number.isFinite(kb) ? (kb / 1024).toFixed(0) : '?';
  } catch {
    return '?';
  }
}

/** User + system CPU seconds of a process so far (Linux /proc; 0 when unreadable). */
function javaCpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // After "pid (comm) ": state is field 3, utime 14 and stime 15 (1-based), in clock ticks (100/s).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}
