/**
 * A ChangeStore in memory, with the conditions of the real one (functions/adapters/dynamodb/
 * change-store.ts): a write succeeds only on the version it was decided on, and a reservation only in a
 * window with room. For use-case tests that need no DynamoDB Local.
 */
import {
  CapacityExceeded,
  type ChangeQuery,
  type ChangeScope,
  type ChangeStore,
  type StoredChange,
  VersionConflict,
} from '#app/ports.ts';
import type { ChangeRecord, HistoryRecord, Transition } from '#core/change.ts';

export class InMemoryChangeStore implements ChangeStore {
  readonly changes = new Map<string, StoredChange>();
  readonly used = new Map<string, number>();
  readonly writes: Transition[] = [];

  async read(changeId: string): Promise<StoredChange | null> {
    const stored = this.changes.get(changeId);
    return stored ? structuredClone(stored) : null;
  }

  async readRecord(changeId: string): Promise<ChangeRecord | null> {
    return (await this.read(changeId))?.change ?? null;
  }

  async capacityUsed(windowIds: readonly string[]): Promise<Map<string, number>> {
    return new Map(windowIds.map((id) => [id, this.used.get(id) ?? 0]));
  }

  async write(before: ChangeRecord | null, transition: Transition): Promise<void> {
    const current = this.changes.get(transition.change.changeId);
    if (before ? current?.change.version !== before.version : current) {
      throw new VersionConflict(transition.change.changeId);
    }
    for (const { windowId, limit } of transition.capacity) {
      if (limit !== undefined && (this.used.get(windowId) ?? 0) >= limit)
        throw new CapacityExceeded(windowId);
    }
    for (const { windowId, delta } of transition.capacity)
      this.used.set(windowId, (this.used.get(windowId) ?? 0) + delta);
    this.changes.set(transition.change.changeId, {
      change: structuredClone(transition.change),
      history: [
        ...(current?.history ?? []),
        ...transition.history.map((r) => ({ ...r, version: transition.change.version })),
      ],
      notices: current?.notices ?? {},
    });
    this.writes.push(transition);
  }

  async appendHistory(
    change: Pick<ChangeRecord, 'changeId' | 'version'>,
    records: readonly HistoryRecord[],
  ): Promise<void> {
    this.changes
      .get(change.changeId)
      ?.history.push(...records.map((r) => ({ ...r, version: change.version })));
  }

  async query(query: ChangeQuery): Promise<{ items: ChangeRecord[] }> {
    return { items: (await this.queryAll(query.scope)).slice(0, query.limit) };
  }

  async queryAll(scope: ChangeScope): Promise<ChangeRecord[]> {
    return [...this.changes.values()]
      .map((stored) => stored.change)
      .filter(
        (change) =>
          scope.kind === 'all' ||
          (scope.kind === 'partner'
            ? change.partnerId === scope.partnerId
            : change.customerId === scope.customerId),
      );
  }
}
