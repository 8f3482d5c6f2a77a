/** `cmm changes list|show|create|emergency|complete|cancel` */
import { Command, Option } from 'commander';
import {
  CHANGE_STATUSES,
  CHANGE_TYPES,
  EMERGENCY_REASONS,
  EMERGENCY_WHEN,
  OUTCOMES,
  REGIONS,
  UPGRADE_TRIGGERS,
} from '#core/vocabulary.ts';
import { type Change, type ChangeList, ok } from '../client.ts';
import { fields, shortInstant, table } from '../output.ts';
import { type CommandContext, type Session, session } from '../session.ts';
import { parse } from '../usage.ts';

const changeTable = (changes: readonly Change[]) =>
  table(changes, [
    ['CHANGE', (c) => c.changeId],
    ['STATUS', (c) => c.status],
    ['CUSTOMER', (c) => c.customerId],
    ['REGION', (c) => c.region],
    ['TYPE', (c) => (c.emergency ? `${c.type} (emergency)` : c.type)],
    ['WINDOW (UTC)', (c) => shortInstant(c.window.start)],
    ['TITLE', (c) => c.title],
  ]);

export function describeChange(c: Change): string {
  const head = fields([
    ['change', c.changeId],
    ['title', c.title],
    ['status', c.status],
    ['customer', `${c.customerId} (partner ${c.partnerId}, region ${c.region})`],
    ['type', `${c.type}${c.emergency ? ', emergency' : ''}${c.urgent ? ', urgent' : ''}`],
    ['disrupts calling', c.disruptsCalling ? 'yes' : 'no'],
    ['window (local)', `${c.window.localStart} -> ${c.window.localEnd} (${c.window.timezone})`],
    ['window (UTC)', `${c.window.start} -> ${c.window.end}`],
    ['notice sent', c.noticeSentAt],
    ['reply by', c.replyBy],
    ['reschedule by', c.rescheduleCutoff],
    ['reschedules left', c.reschedulesRemaining],
    ['target version', c.targetVersion],
    ['reason', c.reason],
    ['customer impact', c.customerImpact],
    ['outcome', c.outcome],
  ]);
  const history = (c.history ?? []).map(
    (h) =>
      `  ${shortInstant(h.at)}  ${h.event.padEnd(20)} ${h.actor}${Object.keys(h.detail).length ? `  ${JSON.stringify(h.detail)}` : ''}`,
  );
  return history.length ? `${head}\nhistory:\n${history.join('\n')}` : head;
}

/** A change's partner, when the command line does not name it: the customer's. */
async function partnerOf(s: Session, customerId: string, partner: string | undefined): Promise<string> {
  if (partner) return partner;
  const customer = await ok(s.api.GET('/customers/{customerId}', { params: { path: { customerId } } }));
  return customer.partnerId;
}

export function changesCommand(context: CommandContext): Command {
  const changes = new Command('changes').description('list, read, schedule, complete and cancel changes');

  changes
    .command('list')
    .description('changes ordered by window start (all for ops, its own for a partner key)')
    .addOption(new Option('--status <status>', 'only changes in this status').choices(CHANGE_STATUSES))
    .option('--customer <customerId>', 'only this customer')
    .option('--from <instant>', 'windows starting at or after', parse.instant)
    .option('--to <instant>', 'windows starting at or before', parse.instant)
    .option('--limit <n>', 'changes per page (1-100)', parse.positiveInt)
    .option('--all', 'follow every page, not only the first')
    .action(async (options, command: Command) => {
      const s = session(command, context);
      const items: Change[] = [];
      let nextToken: string | undefined;
      do {
        const page: ChangeList = await ok(
          s.api.GET('/changes', {
            params: {
              query: {
                ...(options.status ? { status: options.status } : {}),
                ...(options.customer ? { customerId: options.customer } : {}),
                ...(options.from ? { from: options.from } : {}),
                ...(options.to ? { to: options.to } : {}),
                ...(options.limit ? { limit: options.limit } : {}),
                ...(nextToken ? { nextToken } : {}),
              },
            },
          }),
        );
        items.push(...page.items);
        nextToken = page.nextToken;
      } while (options.all && nextToken);
      s.print({ items, ...(nextToken ? { nextToken } : {}) }, (list) =>
        [changeTable(list.items), ...(list.nextToken ? ['(more: --all)'] : [])].join('\n'),
      );
    });

  changes
    .command('show')
    .description('one change with its history')
    .argument('<changeId>')
    .action(async (changeId: string, _options, command: Command) => {
      const s = session(command, context);
      s.print(await ok(s.api.GET('/changes/{changeId}', { params: { path: { changeId } } })), describeChange);
    });

  changes
    .command('create')
    .description('schedule a planned change into the earliest eligible window (the notice goes out)')
    .requiredOption('--customer <customerId>', 'the customer the change touches')
    .option('--partner <partnerId>', "the customer's partner (default: looked up from the customer)")
    .addOption(new Option('--type <type>', 'kind of work').choices(CHANGE_TYPES).makeOptionMandatory())
    .requiredOption('--title <text>', 'what the partner reads first')
    .option('--description <text>', 'more detail for the notice')
    .option('--disrupts-calling', 'calling may be disrupted: 10 business days of notice')
    .option('--no-disrupts-calling', 'routine work that does not disrupt calling: 24 hours of notice')
    .addOption(new Option('--region <region>', "another region's windows").choices(REGIONS))
    .option('--earliest-start <instant>', 'no window before this instant', parse.instant)
    .addOption(new Option('--trigger <trigger>', 'why an upgrade is due').choices(UPGRADE_TRIGGERS))
    .option('--target-version <version>', 'the version an upgrade goes to')
    .option('--certificate-expires-at <instant>', 'for a certificate renewal', parse.instant)
    .action(async (options, command: Command) => {
      if (options.disruptsCalling === undefined)
        command.error(
          'error: say whether calling may be disrupted: --disrupts-calling or --no-disrupts-calling',
        );
      const s = session(command, context);
      const body = {
        customerId: options.customer as string,
        partnerId: await partnerOf(s, options.customer, options.partner),
        type: options.type,
        title: options.title,
        disruptsCalling: options.disruptsCalling as boolean,
        ...(options.description ? { description: options.description } : {}),
        ...(options.region ? { region: options.region } : {}),
        ...(options.earliestStart ? { earliestStart: options.earliestStart } : {}),
        ...(options.trigger ? { trigger: options.trigger } : {}),
        ...(options.targetVersion ? { targetVersion: options.targetVersion } : {}),
        ...(options.certificateExpiresAt ? { certificateExpiresAt: options.certificateExpiresAt } : {}),
      };
      s.print(await ok(s.api.POST('/changes', { body })), describeChange);
    });

  changes
    .command('emergency')
    .description('push an emergency change through, now or in the next window (no notice period)')
    .requiredOption('--customer <customerId>', 'the customer the change touches')
    .option('--partner <partnerId>', "the customer's partner (default: looked up from the customer)")
    .addOption(
      new Option('--reason <reason>', 'why it cannot wait').choices(EMERGENCY_REASONS).makeOptionMandatory(),
    )
    .requiredOption('--impact <text>', 'the expected customer impact')
    .requiredOption('--title <text>', 'what the partner reads first')
    .addOption(
      new Option('--when <when>', 'start now or in the next window').choices(EMERGENCY_WHEN).default('now'),
    )
    .addOption(new Option('--type <type>', 'kind of work').choices(CHANGE_TYPES))
    .option('--description <text>', 'more detail for the notice')
    .action(async (options, command: Command) => {
      const s = session(command, context);
      const body = {
        customerId: options.customer as string,
        partnerId: await partnerOf(s, options.customer, options.partner),
        reason: options.reason,
        customerImpact: options.impact as string,
        title: options.title as string,
        when: options.when,
        ...(options.type ? { type: options.type } : {}),
        ...(options.description ? { description: options.description } : {}),
      };
      s.print(await ok(s.api.POST('/changes/emergency', { body })), describeChange);
    });

  changes
    .command('complete')
    .description('record the outcome of a change in progress (the outcome notice goes out)')
    .argument('<changeId>')
    .addOption(new Option('--outcome <outcome>', 'how it went').choices(OUTCOMES).default('succeeded'))
    .option('--notes <text>', "operations' notes for the outcome notice")
    .action(async (changeId: string, options, command: Command) => {
      const s = session(command, context);
      const body = { outcome: options.outcome, ...(options.notes ? { notes: options.notes } : {}) };
      s.print(
        await ok(s.api.POST('/changes/{changeId}/complete', { params: { path: { changeId } }, body })),
        describeChange,
      );
    });

  changes
    .command('cancel')
    .description('cancel a change that has not started (its place is given back, a notice goes out)')
    .argument('<changeId>')
    .requiredOption('--reason <text>', 'why, for the cancellation notice')
    .action(async (changeId: string, options, command: Command) => {
      const s = session(command, context);
      s.print(
        await ok(
          s.api.POST('/changes/{changeId}/cancel', {
            params: { path: { changeId } },
            body: { reason: options.reason },
          }),
        ),
        describeChange,
      );
    });

  return changes;
}
