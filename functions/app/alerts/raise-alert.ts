/**
 * Raising an alert (rules section 11): the core drafts it (priority and response target from the
 * policy), the store keeps it once per dedupe key (GET /v1/alerts lists it), and a new alert is paged
 * to people. A page that fails is logged, not lost: the alert is recorded and listed.
 */

import type { Ports } from '#app/ports.ts';
import { logger } from '#commons/logger.ts';
import { type Alert, type AlertInput, draftAlert } from '#core/alerts.ts';
import type { AlertEvent } from '#core/vocabulary.ts';

export async function raiseAlert(
  ports: Pick<Ports, 'alerts' | 'pager' | 'policy'>,
  event: AlertEvent,
  input: AlertInput,
): Promise<{ alert: Alert; created: boolean }> {
  const result = await ports.alerts.put(draftAlert(ports.policy, event, input));
  if (result.created) {
    try {
      await ports.pager.page(result.alert);
    } catch (error) {
      logger.error('alert could not be published', { alertId: result.alert.alertId, error: error as Error });
    }
  }
  return result;
}
