/**
 * `npm run job -- <job> [--time <ISO instant>] [--restart]`: runs a nightly job now in the local
 * runtime started by `npm start` (the same handler its schedule runs), and prints its summary.
 * Jobs: backup-retention, cop-uploads, certificate-scan, release-scan.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { JOB_NAMES } from '#contract/schedules.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { time: { type: 'string' }, restart: { type: 'boolean', default: false } },
});
const job = positionals[0];
if (!job || !(JOB_NAMES as readonly string[]).includes(job)) {
  console.error(`usage: npm run job -- <${JOB_NAMES.join('|')}> [--time ISO] [--restart]`);
  process.exit(2);
}
const endpointsFile = '.local/endpoints.json';
if (!existsSync(endpointsFile)) {
  console.error(
    'No local runtime found (.local/endpoints.json is missing): start it with `npm start` first.',
  );
  process.exit(1);
}
const { adminUrl } = JSON.parse(readFileSync(endpointsFile, 'utf8')) as { adminUrl: string };
try {
  const response = await fetch(`${adminUrl}/jobs/${job}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      ...(values.time ? { time: values.time } : {}),
      ...(values.restart ? { restart: true } : {}),
    }),
  });
  console.log(JSON.stringify(await response.json(), null, 2));
  process.exit(response.ok ? 0 : 1);
} catch {
  console.error(`The local runtime at ${adminUrl} does not answer: start it with \`npm start\`.`);
  process.exit(1);
}
