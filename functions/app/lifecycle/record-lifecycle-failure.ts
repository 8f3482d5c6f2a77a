/** The lifecycle failed in a way its state machine could not handle: ops hear of it (a P1 alert) before it ends. */
import { raiseAlert } from '#app/alerts/raise-alert.ts';
import type { Ports } from '#app/ports.ts';

export async function recordLifecycleFailure(
  ports: Pick<Ports, 'alerts' | 'pager' | 'policy' | 'clock'>,
  changeId: string,
  error: { Error?: string; Cause?: string } | undefined,
): Promise<void> {
  await raiseAlert(ports, 'JOB_CRASHED', {
    raisedAt: ports.clock.now(),
    subject: `The lifecycle of change ${changeId} failed`,
    detail: { changeId, error: error?.Error, cause: error?.Cause?.slice(0, 2000) },
    dedupeKey: `LIFECYCLE_FAILED#${changeId}`,
  });
}
