/** A partner's iCalendar feed: its non-cancelled changes, one event each (UID the change, SEQUENCE its version). */

import { notFound } from '#app/changes/new-change.ts';
import type { Ports } from '#app/ports.ts';
import { changesToICalendar } from '#core/ical.ts';
import { canSee, type Principal } from '#core/visibility.ts';

export async function partnerCalendar(
  ports: Pick<Ports, 'directory' | 'changes'>,
  request: { principal: Principal; partnerId: string },
): Promise<{ calendar: string; partnerId: string }> {
  const { partnerId } = request;
  const partner = canSee(request.principal, partnerId) ? await ports.directory.readPartner(partnerId) : null;
  if (!partner) throw notFound('partner', partnerId);
  const changes = (await ports.changes.queryAll({ kind: 'partner', partnerId })).filter(
    (change) => change.status !== 'CANCELLED',
  );
  return { partnerId, calendar: changesToICalendar(changes, `Maintenance: ${partner.name}`) };
}
