/** Alerts the system raised about itself, as ops lists and acknowledges them. */

import { notFound } from '#app/changes/new-change.ts';
import type { Ports } from '#app/ports.ts';
import type { Alert } from '#core/alerts.ts';
import { toUtcIso } from '#core/calendar.ts';
import type { AlertPriority, AlertStatus } from '#core/vocabulary.ts';

function alertView(alert: Alert) {
  const { alertId, event, priority, raisedAt, respondBy, subject, detail, acknowledgedAt } = alert;
  return {
    alertId,
    event,
    priority,
    raisedAt,
    respondBy,
    subject,
    detail,
    ...(acknowledgedAt ? { acknowledgedAt } : {}),
  };
}

export async function listAlerts(
  ports: Pick<Ports, 'alerts'>,
  request: { status: AlertStatus; priority?: AlertPriority },
): Promise<{ items: ReturnType<typeof alertView>[] }> {
  const alerts = await ports.alerts.query(request.status, request.priority);
  return { items: alerts.map(alertView) };
}

/** Open -> acknowledged, once; acknowledging again answers with the alert as it is. */
export async function acknowledgeAlert(
  ports: Pick<Ports, 'alerts' | 'clock'>,
  alertId: string,
): Promise<ReturnType<typeof alertView>> {
  const alert = await ports.alerts.acknowledge(alertId, toUtcIso(ports.clock.now()));
  if (!alert) throw notFound('alert', alertId);
  return alertView(alert);
}
