/**
 * A planned change as the store holds it, for unit tests of the pure core. Its values are worked
 * out by hand from docs/rules.md:
 * - the AMER window of Monday 7 Dec 2026 runs 21:00 EST to Tue 8 Dec 06:00 EST = 2026-12-08T02:00Z..11:00Z;
 * - the notice went out Mon 16 Nov 2026 15:00Z; 3 business days to reply -> replyBy Thu 19 Nov 15:00Z;
 * - rescheduleCutoff = window start - 7 days = 2026-12-01T02:00Z.
 */
import type { ChangeRecord } from '#core/change.ts';

export const AMER_WINDOW = {
  start: '2026-12-08T02:00:00Z',
  end: '2026-12-08T11:00:00Z',
  timezone: 'America/New_York',
  localStart: '2026-12-07T21:00:00-05:00',
  localEnd: '2026-12-08T06:00:00-05:00',
};

export function plannedChangeRecord(overrides: Partial<ChangeRecord> = {}): ChangeRecord {
  return {
    changeId: 'chg_fixture0001',
    partnerId: 'ptn_acme',
    customerId: 'cus_globex',
    region: 'AMER',
    type: 'configuration',
    title: 'Dial plan update',
    disruptsCalling: true,
    emergency: false,
    urgent: false,
    status: 'SCHEDULED',
    window: AMER_WINDOW,
    windowId: 'AMER#2026-12-07',
    originalWindowStart: AMER_WINDOW.start,
    noticeSentAt: '2026-11-16T15:00:00Z',
    replyBy: '2026-11-19T15:00:00Z',
    rescheduleCutoff: '2026-12-01T02:00:00Z',
    reschedulesRemaining: 1,
    createdAt: '2026-11-16T15:00:00Z',
    updatedAt: '2026-11-16T15:00:00Z',
    version: 1,
    ...overrides,
  };
}
