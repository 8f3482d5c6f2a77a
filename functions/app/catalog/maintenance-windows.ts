/**
 * A region's maintenance windows from an instant (default: now), with the region's zone. Ops also see
 * each window's place count: the changes booked against it and what is left of the region's capacity
 * (partners do not: other partners' bookings are not theirs to count).
 */
import type { DateTime } from 'luxon';
import type { Ports } from '#app/ports.ts';
import { listWindows, toWindowView, zoneOf } from '#core/calendar.ts';
import type { Principal } from '#core/visibility.ts';
import type { Region, WindowKind } from '#core/vocabulary.ts';

export async function maintenanceWindows(
  ports: Pick<Ports, 'policy' | 'clock' | 'changes'>,
  request: {
    region: Region;
    from?: string | DateTime;
    kind: WindowKind;
    count: number;
    principal?: Principal;
  },
) {
  const { policy } = ports;
  const windows = listWindows(
    policy,
    request.region,
    request.from ?? ports.clock.now(),
    request.kind,
    request.count,
  );
  const booked =
    request.principal?.role === 'ops'
      ? await ports.changes.capacityUsed(windows.map((w) => w.id))
      : undefined;
  const capacity = policy.windows.capacity;
  return {
    region: request.region,
    timezone: zoneOf(policy, request.region),
    windows: windows.map((window) => {
      const used = booked?.get(window.id);
      return {
        ...toWindowView(window),
        windowId: window.id,
        // An emergency is counted but never refused, so a window can hold more than its capacity.
        ...(used === undefined ? {} : { booked: used, capacity, remaining: Math.max(0, capacity - used) }),
      };
    }),
  };
}
