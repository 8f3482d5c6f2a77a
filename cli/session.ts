/**
 * What a command's action gets: the connection resolved from the global options, the API client,
 * and a printer that honours `--json`.
 */
import type { Command } from 'commander';
import { type ApiClient, apiClient } from './client.ts';
import { type Connection, type ConnectionOptions, resolveConnection } from './connection.ts';
import { type Io, json } from './output.ts';

export interface CommandContext {
  io: Io;
  env: Record<string, string | undefined>;
}

export interface Session {
  connection: Connection;
  api: ApiClient;
  /** Prints the value as JSON with --json, else what `human` makes of it. */
  print<T>(value: T, human: (value: T) => string): void;
}

export function session(command: Command, context: CommandContext): Session {
  const options = command.optsWithGlobals<ConnectionOptions & { json?: boolean }>();
  const connection = resolveConnection(options, context.env);
  return {
    connection,
    api: apiClient(connection),
    print(value, human) {
      context.io.out(options.json ? json(value) : human(value));
    },
  };
}

/** A group of commands (`cmm changes ...`): one module each, listed in cli/commands/index.ts. */
export type CommandGroup = (context: CommandContext) => Command;
