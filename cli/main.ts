/**
 * `cmm`, the operator CLI: the API of a running system (the local one by default) from a terminal.
 * `run` returns the exit code instead of exiting, so tests and other programs can call it.
 */
import { Command, Option } from 'commander';
import { ApiRefusal, Unreachable } from './client.ts';
import { COMMAND_GROUPS } from './commands/index.ts';
import { ConnectionUnknown, DEFAULT_ENDPOINTS_FILE } from './connection.ts';
import { type Io, json, processIo } from './output.ts';
import { EXIT, exitCodeOf, withUsageErrors } from './usage.ts';

export function program(io: Io, env: Record<string, string | undefined>): Command {
  const cmm = new Command('cmm')
    .description('Change and maintenance management from the command line: changes, windows, alerts, jobs.')
    .option('--base-url <url>', 'the API, e.g. http://localhost:3000/v1 (env CMM_BASE_URL)')
    .option('--key <key>', 'the API key (env CMM_API_KEY; default: the ops key of the endpoints file)')
    .option('--as <partnerId>', 'act as this partner, with its key from the endpoints file')
    .option('--endpoints <file>', 'the endpoints file `npm start` writes', DEFAULT_ENDPOINTS_FILE)
    .addOption(new Option('--json', 'print the API answer as JSON (for scripts)'))
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .addHelpText(
      'after',
      `
Exit codes: 0 done; 1 the API refused (its error code is printed); 2 usage error; 3 nothing answers.

Examples:
  npx cmm changes list --status SCHEDULED
  npx cmm changes create --customer globex --type patch --title "Dial plan update" --no-disrupts-calling
  npx cmm windows --region EU --count 3
  npx cmm alerts list --json
  npx cmm jobs run backup-retention`,
    );
  for (const group of COMMAND_GROUPS) cmm.addCommand(group({ io, env }));
  // Every subcommand prints to the same place as the program.
  const configure = (command: Command) => {
    command.configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
    for (const sub of command.commands) configure(sub);
  };
  configure(cmm);
  return withUsageErrors(cmm);
}

export async function run(
  argv: readonly string[],
  io: Io = processIo,
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const cmm = program(io, env);
  const jsonOutput = argv.includes('--json');
  try {
    if (argv.length === 0) {
      cmm.outputHelp();
      return EXIT.usage;
    }
    await cmm.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof ApiRefusal) {
      io.err(jsonOutput ? json({ status: error.status, ...error.body }) : refusal(error));
      return EXIT.refused;
    }
    if (error instanceof Unreachable || error instanceof ConnectionUnknown) {
      io.err(jsonOutput ? json({ error: 'UNREACHABLE', message: error.message }) : error.message);
      return EXIT.unreachable;
    }
    return exitCodeOf(error);
  }
}

function refusal(error: ApiRefusal): string {
  const details = (error.body.details ?? []).map((d) => `  ${d.path}: ${d.message}`);
  return [`refused (${error.status} ${error.body.error}): ${error.body.message}`, ...details].join('\n');
}
