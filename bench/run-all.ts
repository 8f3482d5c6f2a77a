/**
 * `npm run bench`: runs every benchmark, one after the other, each in its own process (so one
 * benchmark's memory and DynamoDB Local do not disturb the next), and lets each print its figures,
 * each beside the floor it is judged against (measured in the same run) and the load average at its
 * start and end: the machine's cores are shared, so run it when `uptime` shows a load under ~2.
 * The closing note quotes every figure with its floor and ratio (the `@figure` lines of the benches).
 *
 *   npm run bench [-- <name> ...]     e.g. npm run bench -- api-latency cold-start
 */
import { spawn } from 'node:child_process';
import { FIGURE_PREFIX, type FigureLine, loadAverage, machine, times } from './support.ts';

const BENCHES = [
  ['cold-start.ts', "every Lambda's bundle size and module initialisation (goal < 1 MB, < 200 ms)"],
  ['plan-changes.ts', 'the core plans 10,000 changes (goal < 1 s)'],
  ['workflow-paths.ts', 'state transitions and Lambda calls per lifecycle path (goal: planned <= 20)'],
  ['api-latency.ts', 'API latency at 20 clients beside raw DynamoDB Local and a no-op route'],
  ['backup-retention.ts', 'retention job over 100,000 backup records (goal < 60 s, < 256 MB)'],
] as const;

/** Runs one bench, echoing its output, and collects its figure lines. */
function run(file: string): Promise<{ status: number | null; figures: FigureLine[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `bench/${file}`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const figures: FigureLine[] = [];
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith(FIGURE_PREFIX)) figures.push(JSON.parse(line.slice(FIGURE_PREFIX.length)));
        else console.log(line);
      }
    });
    child.once('error', reject);
    child.once('close', (status) => {
      if (pending) console.log(pending);
      resolve({ status, figures });
    });
  });
}

const only = process.argv.slice(2);
const startLoad = loadAverage();
let failed = 0;
const all: { bench: string; figure: FigureLine }[] = [];
for (const [file, what] of BENCHES) {
  if (only.length > 0 && !only.some((name) => file.includes(name))) continue;
  console.log(`\n=== bench/${file}: ${what}`);
  const { status, figures } = await run(file);
  if (status !== 0) failed++;
  for (const figure of figures) all.push({ bench: file, figure });
}

const value = (n: number, unit: string) => `${Number.isInteger(n) ? n : n.toFixed(n < 10 ? 2 : 1)} ${unit}`;
console.log(`\n=== closing note: every figure beside its floor (${machine()})`);
console.log(`load average (1/5/15 min) at the start ${startLoad}, at the end ${loadAverage()}`);
for (const { bench, figure } of all) {
  const goal = figure.goal ? `  goal ${figure.goal}: ${figure.met ? 'met' : 'NOT met'}` : '';
  console.log(
    `${bench.replace('.ts', '').padEnd(17)} ${figure.figure.padEnd(44)} ${value(figure.value, figure.unit).padStart(12)}` +
      `  floor ${figure.floor}: ${value(figure.floorValue, figure.unit)}  ratio ${times(figure.value, figure.floorValue)}${goal}`,
  );
}
process.exit(failed > 0 ? 1 : 0);
