/**
 * The command groups of `cmm`, in the order `cmm --help` lists them. A new group is one module
 * exporting a `CommandGroup` and one line here.
 *
 * To come, when their routes are on main (issue 10, the directory work): `cmm directory` (partners,
 * customers and contacts) and `cmm keys` (issue and revoke API keys), each a module like changes.ts.
 */
import type { CommandGroup } from '../session.ts';
import { alertsCommand } from './alerts.ts';
import { changesCommand } from './changes.ts';
import { jobsCommand } from './jobs.ts';
import { windowsCommand } from './windows.ts';

export const COMMAND_GROUPS: readonly CommandGroup[] = [
  changesCommand,
  windowsCommand,
  alertsCommand,
  jobsCommand,
];
