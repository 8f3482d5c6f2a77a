/**
 * Creating changes and reading windows through the API, as ops and partners do, for the
 * end-to-end scenarios.
 */
import { expect } from 'vitest';
import type { ChangeView, WindowView } from './notices.ts';
import type { System } from './system.ts';

export interface PlannedChangeBody {
  customerId: string;
  partnerId: string;
  type: string;
  title: string;
  disruptsCalling: boolean;
  description?: string;
  trigger?: string;
  targetVersion?: string;
  certificateExpiresAt?: string;
  earliestStart?: string;
}

/** POST /changes as ops (a dial-plan change for globex unless told otherwise); expects 201. */
export async function createPlanned(
  system: System,
  body: Partial<PlannedChangeBody> = {},
): Promise<ChangeView> {
  const response = await system.call<ChangeView>('POST', '/changes', {
    body: {
      customerId: 'globex',
      partnerId: 'acme-voice',
      type: 'configuration',
      title: 'Dial plan update',
      disruptsCalling: true,
      ...body,
    },
  });
  expect(response.status, response.text).toBe(201);
  return response.body;
}

export interface EmergencyBody {
  customerId: string;
  partnerId: string;
  reason: string;
  customerImpact: string;
  title: string;
  type?: string;
  when: 'now' | 'next-window';
}

/** POST /changes/emergency as ops; expects 201. */
export async function createEmergency(system: System, body: EmergencyBody): Promise<ChangeView> {
  const response = await system.call<ChangeView>('POST', '/changes/emergency', { body });
  expect(response.status, response.text).toBe(201);
  return response.body;
}

/** GET /maintenance-windows: the windows of a region starting at or after `from`. */
export async function windowsFrom(
  system: System,
  query: { region: string; from: string; kind: 'customer' | 'infrastructure'; count?: number },
): Promise<WindowView[]> {
  const params = new URLSearchParams({
    region: query.region,
    from: query.from,
    kind: query.kind,
    count: String(query.count ?? 100),
  });
  const response = await system.call<{ windows: (WindowView & Record<string, unknown>)[] }>(
    'GET',
    `/maintenance-windows?${params}`,
  );
  expect(response.status, response.text).toBe(200);
  // The window as a change shows it: without the listing's id and (ops') place count.
  return response.body.windows.map(({ windowId, booked, capacity, remaining, ...window }) => window);
}

/** The weekday (1 = Monday ... 7 = Sunday) a window starts on, in its own zone. */
export function localWeekday(window: WindowView): number {
  // localStart carries the zone's offset, so its date part is the local date.
  const date = new Date(`${window.localStart.slice(0, 10)}T12:00:00Z`);
  return ((date.getUTCDay() + 6) % 7) + 1;
}
