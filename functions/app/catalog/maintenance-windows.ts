/** A region's maintenance windows from an instant (default: now), with the region's zone. */
import type { DateTime } from 'luxon';
import type { Ports } from '#app/ports.ts';
import { listWindows, toWindowView, zoneOf } from '#core/calendar.ts';
import type { Region, WindowKind } from '#core/vocabulary.ts';

export function maintenanceWindows(
  ports: Pick<Ports, 'policy' | 'clock'>,
  request: { region: Region; from?: string | DateTime; kind: WindowKind; count: number },
) {
  const { policy } = ports;
  const windows = listWindows(
    policy,
    request.region,
    request.from ?? ports.clock.now(),
    request.kind,
    request.count,
  );
  return {
    region: request.region,
    timezone: zoneOf(policy, request.region),
    windows: windows.map(toWindowView),
  };
}
