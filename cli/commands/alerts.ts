/** `cmm alerts list|acknowledge`: the alerts the system raised about itself (ops). */
import { Command, Option } from 'commander';
import { ALERT_PRIORITIES, ALERT_STATUSES } from '#core/vocabulary.ts';
import { type Alert, ok } from '../client.ts';
import { fields, shortInstant, table } from '../output.ts';
import { type CommandContext, session } from '../session.ts';

const describeAlert = (a: Alert) =>
  fields([
    ['alert', a.alertId],
    ['priority', a.priority],
    ['event', a.event],
    ['subject', a.subject],
    ['raised', a.raisedAt],
    ['respond by', a.respondBy],
    ['acknowledged', a.acknowledgedAt],
  ]);

export function alertsCommand(context: CommandContext): Command {
  const alerts = new Command('alerts').description('alerts the system raised about itself (ops)');

  alerts
    .command('list')
    .description('alerts, open ones by default')
    .addOption(new Option('--status <status>', 'open or acknowledged').choices(ALERT_STATUSES))
    .addOption(new Option('--priority <priority>', 'only this priority').choices(ALERT_PRIORITIES))
    .action(async (options, command: Command) => {
      const s = session(command, context);
      const answer = await ok(
        s.api.GET('/alerts', {
          params: {
            query: {
              ...(options.status ? { status: options.status } : {}),
              ...(options.priority ? { priority: options.priority } : {}),
            },
          },
        }),
      );
      s.print(answer, (list) =>
        table(
          list.items,
          [
            ['ALERT', (a) => a.alertId],
            ['PRIO', (a) => a.priority],
            ['EVENT', (a) => a.event],
            ['RAISED', (a) => shortInstant(a.raisedAt)],
            ['RESPOND BY', (a) => shortInstant(a.respondBy)],
            ['SUBJECT', (a) => a.subject],
          ],
          `(no ${options.status ?? 'open'} alerts)`,
        ),
      );
    });

  alerts
    .command('acknowledge')
    .alias('ack')
    .description('take an alert in hand')
    .argument('<alertId>')
    .option('--comment <text>', 'a note for the record')
    .action(async (alertId: string, options, command: Command) => {
      const s = session(command, context);
      const answer = await ok(
        s.api.POST('/alerts/{alertId}/acknowledge', {
          params: { path: { alertId } },
          body: options.comment ? { comment: options.comment } : {},
        }),
      );
      s.print(answer, describeAlert);
    });

  return alerts;
}
