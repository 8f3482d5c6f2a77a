/**
 * Waking a change's parked lifecycle after a decision (acknowledge, reschedule, cancel, outcome), so it
 * acts on it now (an updated notice, the outcome notice ...) rather than at its next planned look.
 * The token is read after the decision was written: if the lifecycle parks later, it parks on the new
 * version and sees the decision itself; if it parked before, this token is the live one.
 */
import type { Ports } from '#app/ports.ts';

export async function wakeLifecycle(
  ports: Pick<Ports, 'waitTokens' | 'workflow'>,
  changeId: string,
  signal: string,
): Promise<void> {
  const wait = await ports.waitTokens.read(changeId);
  if (wait) await ports.workflow.resume(wait.token, { signal, changeId });
}
