/**
 * What every command line of this project shares (the operator CLI, `npm start`, `npm run job`,
 * `npm run demo`): commander parses it, `--help` prints the usage and exits 0, and a mistake (an
 * unknown or misspelt option, a missing argument, a value out of range) prints the error, a
 * suggestion when commander has one, and the usage, then exits 2. Never a stack trace.
 */
import { type Command, CommanderError, InvalidArgumentError } from 'commander';

/** Exit codes scripts can rely on (README, "The operator CLI"). */
export const EXIT = {
  /** Done. */
  ok: 0,
  /** The API (or the local runtime) answered and refused: a 4xx/5xx with its error code. */
  refused: 1,
  /** The command line is wrong: unknown option, missing argument, bad value. */
  usage: 2,
  /** Nothing answered: no API at that address, or no address known. */
  unreachable: 3,
} as const;

/**
 * Makes a program (and every subcommand added before this call) throw instead of exiting, and show
 * its usage after an error. `parseCommandLine` turns what it throws into an exit code. A usage
 * mistake found later (two options that exclude each other) is reported with `command.error(...)`,
 * which prints the usage the same way.
 */
export function withUsageErrors<T extends Command>(program: T): T {
  const apply = (command: Command) => {
    command.exitOverride();
    command.showHelpAfterError();
    command.showSuggestionAfterError(true);
    for (const sub of command.commands) apply(sub);
  };
  apply(program);
  return program;
}

/**
 * Parses `argv` (user arguments only, without `node script`). Returns `undefined` when the program
 * may go on, or the exit code when it must stop now (help shown: 0; a usage error: 2).
 */
export async function parseCommandLine(
  program: Command,
  argv: readonly string[],
): Promise<number | undefined> {
  withUsageErrors(program);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return undefined;
  } catch (error) {
    return exitCodeOf(error);
  }
}

/** The exit code for an error thrown while parsing or running a command. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) {
    // `--help` and `--version` are not mistakes; a bare group (`cmm changes`) is an unfinished command.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
    return EXIT.usage;
  }
  throw error;
}

/** Option parsers that refuse a bad value with a sentence (commander then prints the usage). */
export const parse = {
  port(value: string): number {
    const port = Number(value);
    if (!/^\d+$/.test(value) || port > 65535)
      throw new InvalidArgumentError('must be a port number (0-65535).');
    return port;
  },
  nonNegative(value: string): number {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0)
      throw new InvalidArgumentError('must be a number >= 0.');
    return n;
  },
  positiveInt(value: string): number {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError('must be a whole number >= 1.');
    return n;
  },
  instant(value: string): string {
    // The shape only; the API (or the runtime) says what else it needs.
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value))
      throw new InvalidArgumentError(
        'must be an ISO instant with Z or an offset, e.g. 2026-12-01T08:00:00Z.',
      );
    return value;
  },
};
