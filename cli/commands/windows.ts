/** `cmm windows --region AMER`: a region's maintenance windows. */
import { Command, Option } from 'commander';
import { REGIONS, WINDOW_KINDS } from '#core/vocabulary.ts';
import { ok, type Windows } from '../client.ts';
import { table } from '../output.ts';
import { type CommandContext, session } from '../session.ts';
import { parse } from '../usage.ts';

export function windowsCommand(context: CommandContext): Command {
  return new Command('windows')
    .description(
      "a region's next maintenance windows, in local time and UTC, with their remaining capacity (ops)",
    )
    .addOption(new Option('--region <region>', 'the region').choices(REGIONS).makeOptionMandatory())
    .option('--from <instant>', 'windows from this instant (default: now on the API clock)', parse.instant)
    .option('--count <n>', 'how many (1-100, default 10)', parse.positiveInt)
    .addOption(
      new Option('--kind <kind>', 'customer (weekdays) or infrastructure (every day)').choices(WINDOW_KINDS),
    )
    .action(async (options, command: Command) => {
      const s = session(command, context);
      const answer = await ok(
        s.api.GET('/maintenance-windows', {
          params: {
            query: {
              region: options.region,
              ...(options.from ? { from: options.from } : {}),
              ...(options.count ? { count: options.count } : {}),
              ...(options.kind ? { kind: options.kind } : {}),
            },
          },
        }),
      );
      s.print(answer, (w: Windows) =>
        [
          `${w.region} (${w.timezone})`,
          table(w.windows, [
            ['WINDOW', (x) => x.windowId],
            ['LOCAL START', (x) => x.localStart],
            ['LOCAL END', (x) => x.localEnd],
            ['UTC START', (x) => x.start],
            // Ops see the place count; a partner key gets no capacity, and the columns say so with '-'.
            ['BOOKED', (x) => (x.booked === undefined ? undefined : `${x.booked}/${x.capacity}`)],
            ['LEFT', (x) => x.remaining],
          ]),
        ].join('\n'),
      );
    });
}
