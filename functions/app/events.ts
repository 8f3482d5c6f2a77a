/**
 * Publishing a change's new history entries as lifecycle events. Publishing follows the write it
 * reports: the entries are already safe in the table, so a publish that still fails after the SDK's
 * retries is logged as an error and the use case goes on.
 */
import { logger } from '#commons/logger.ts';
import type { ChangeRecord, HistoryRecord } from '#core/change.ts';
import type { Ports } from './ports.ts';

export async function publishEvents(
  ports: Pick<Ports, 'events'>,
  change: ChangeRecord,
  records: readonly HistoryRecord[],
): Promise<void> {
  if (records.length === 0) return;
  try {
    await ports.events.publish(change, records);
  } catch (error) {
    logger.error('lifecycle events could not be published', {
      changeId: change.changeId,
      error: error as Error,
    });
  }
}
