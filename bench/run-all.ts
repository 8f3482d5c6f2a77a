/**
 * `npm run bench`: runs every benchmark, one after the other, each in its own process (so one
 * benchmark's memory and DynamoDB Local do not disturb the next), and lets each print its figures.
 */
import { spawnSync } from 'node:child_process';

const BENCHES = [
  ['plan-changes.ts', 'the core plans 10,000 changes (goal < 1 s)'],
  ['workflow-paths.ts', 'state transitions and Lambda calls per lifecycle path (goal: planned <= 20)'],
  ['api-latency.ts', 'API latency at 20 clients (goal p99 < 50 ms locally)'],
  ['backup-retention.ts', 'retention job over 100,000 backup records (goal < 60 s, < 256 MB)'],
] as const;

const only = process.argv.slice(2);
let failed = 0;
for (const [file, what] of BENCHES) {
  if (only.length > 0 && !only.some((name) => file.includes(name))) continue;
  console.log(`\n=== bench/${file}: ${what}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', `bench/${file}`], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
