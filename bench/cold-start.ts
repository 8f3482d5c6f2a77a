/**
 * Cold start of every Lambda: its bundle's size, and its module initialisation time, measured as the
 * import of the bundle in a fresh Node process (the Node 24 this project runs on, with the
 * `--enable-source-maps` every function is deployed with), the median of RUNS runs, interleaved across
 * bundles so a burst of load hits them all alike. Goal (issue 14): under 1 MB and under 200 ms each.
 *
 *   npx tsx bench/cold-start.ts [runs=9]
 *
 * Bundles are built exactly as the CDK app builds them (infra/bundling.ts). Floors, measured the same
 * way in the same run: an empty module (Node's own import machinery) and a bundle holding only a
 * DynamoDB document client (the least a Lambda of ours loads to do anything); each function's figures
 * are printed as multiples of the second. What is not measured: Lambda's own runtime start (the same for
 * every function), and the first invocation's building of the ports (onFirstCall), which follows init.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { lambdaEntries } from '#infra/app.ts';
import { bundleLambda } from '#infra/bundling.ts';
import { median, printLoad, recordFigure, times } from './support.ts';

const RUNS = Number(process.argv[2] ?? 9);
const SIZE_GOAL = 1_000_000;
const INIT_GOAL_MS = 200;

printLoad('start', 'cold-start');
const dir = mkdtempSync(join(tmpdir(), 'cold-start-'));
try {
  // The import, timed inside the fresh process from just before to just after.
  const runner = join(dir, 'runner.mjs');
  writeFileSync(
    runner,
    'const t0 = performance.now(); await import(process.argv[2]); process.stdout.write(String(performance.now() - t0));\n',
  );
  const empty = join(dir, 'empty.mjs');
  writeFileSync(empty, 'export {};\n');

  interface Subject {
    name: string;
    file: string;
    bytes: number;
    samples: number[];
  }
  const subjects: Subject[] = [{ name: 'floor: empty module', file: empty, bytes: 0, samples: [] }];
  const floor = await bundleLambda('bench/fixtures/dynamodb-floor.ts', join(dir, 'floor'));
  subjects.push({ name: 'floor: DynamoDB client only', file: floor.file, bytes: floor.bytes, samples: [] });
  const seen = new Map<string, Subject>();
  for (const [index, { path, entry }] of lambdaEntries().entries()) {
    const existing = seen.get(entry);
    if (existing) {
      existing.name += `, ${path.split('/').slice(1).join('/')}`;
      continue;
    }
    const built = await bundleLambda(entry, join(dir, String(index)));
    const subject = { name: `${path.split('/').slice(1).join('/')} (${entry})`, ...built, samples: [] };
    seen.set(entry, subject);
    subjects.push(subject);
  }

  for (let run = 0; run < RUNS; run++) {
    for (const subject of subjects) {
      const result = spawnSync(
        process.execPath,
        ['--enable-source-maps', runner, pathToFileURL(subject.file).href],
        {
          encoding: 'utf8',
        },
      );
      if (result.status !== 0) throw new Error(`importing ${subject.name} failed: ${result.stderr}`);
      subject.samples.push(Number(result.stdout));
    }
  }

  const [emptyFloor, sdkFloor] = subjects as [Subject, Subject];
  const floorMs = median(sdkFloor.samples);
  const kb = (bytes: number) => `${(bytes / 1000).toFixed(0)} KB`;
  console.log(
    `\nmodule initialisation: import of the bundle in a fresh Node ${process.version} process with --enable-source-maps, median of ${RUNS} (min-max)`,
  );
  console.log(
    `${'function (entry)'.padEnd(70)} ${'bundle'.padStart(8)} ${'x floor'.padStart(8)} ${'init ms'.padStart(8)} ${'min-max'.padStart(12)} ${'x floor'.padStart(8)}  goal`,
  );
  let missed = 0;
  for (const subject of subjects) {
    const ms = median(subject.samples);
    const isFloor = subject === emptyFloor || subject === sdkFloor;
    const met = subject.bytes < SIZE_GOAL && ms < INIT_GOAL_MS;
    if (!isFloor && !met) missed++;
    console.log(
      `${subject.name.slice(0, 70).padEnd(70)} ${kb(subject.bytes).padStart(8)} ${(subject.bytes ? times(subject.bytes, sdkFloor.bytes) : '').padStart(8)} ${ms.toFixed(1).padStart(8)} ${`${Math.min(...subject.samples).toFixed(0)}-${Math.max(...subject.samples).toFixed(0)}`.padStart(12)} ${times(ms, floorMs).padStart(8)}  ${isFloor ? 'floor' : met ? 'met' : 'NOT met'}`,
    );
  }
  console.log(
    `\nGoal: every bundle < ${kb(SIZE_GOAL)} and its initialisation < ${INIT_GOAL_MS} ms: ${missed === 0 ? 'met' : `NOT met by ${missed}`}. ` +
      `Floors: an empty module ${median(emptyFloor.samples).toFixed(1)} ms; a DynamoDB client bundle ${kb(sdkFloor.bytes)}, ${floorMs.toFixed(1)} ms ("x floor" columns).`,
  );
  const lambdas = subjects.filter((subject) => subject !== emptyFloor && subject !== sdkFloor);
  const largest = lambdas.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const slowest = lambdas.reduce((a, b) => (median(b.samples) > median(a.samples) ? b : a));
  const short = (subject: Subject) => subject.name.split(' ')[0]?.split('/').pop() ?? subject.name;
  recordFigure({
    figure: `largest bundle (${short(largest)})`,
    value: largest.bytes / 1000,
    unit: 'KB',
    floor: 'DynamoDB client bundle',
    floorValue: sdkFloor.bytes / 1000,
    goal: '< 1000 KB',
    met: largest.bytes < SIZE_GOAL,
  });
  recordFigure({
    figure: `slowest module init (${short(slowest)})`,
    value: median(slowest.samples),
    unit: 'ms',
    floor: 'DynamoDB client bundle',
    floorValue: floorMs,
    goal: `< ${INIT_GOAL_MS} ms`,
    met: median(slowest.samples) < INIT_GOAL_MS,
  });
  if (missed > 0) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
  printLoad('end', 'cold-start');
}
