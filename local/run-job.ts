/**
 * `npm run job -- <job> [--time <ISO instant>] [--restart]`: runs a nightly job now in the local
 * runtime started by `npm start` (the same handler its schedule runs), and prints its summary.
 * It is the operator CLI's `cmm jobs run` under the name the README has always given it.
 */

import { ApiRefusal, Unreachable } from '#cli/client.ts';
import { jobRunCommand } from '#cli/commands/jobs.ts';
import { ConnectionUnknown, DEFAULT_ENDPOINTS_FILE } from '#cli/connection.ts';
import { processIo } from '#cli/output.ts';
import { EXIT, parseCommandLine } from '#cli/usage.ts';

const command = jobRunCommand({ io: processIo, env: process.env }, 'npm run job --')
  .option('--endpoints <file>', 'the endpoints file `npm start` writes', DEFAULT_ENDPOINTS_FILE)
  .option('--json', 'print the summary as JSON')
  .addHelpText('after', '\nExample:\n  npm run job -- backup-retention --time 2026-12-01T11:30:00Z');
try {
  const stopEarly = await parseCommandLine(command, process.argv.slice(2));
  process.exitCode = stopEarly ?? EXIT.ok;
} catch (error) {
  if (error instanceof ApiRefusal) {
    console.error(`refused (${error.status} ${error.body.error}): ${error.body.message}`);
    process.exitCode = EXIT.refused;
  } else if (error instanceof Unreachable || error instanceof ConnectionUnknown) {
    console.error(error.message);
    process.exitCode = EXIT.unreachable;
  } else throw error;
}
