/**
 * Lambda for the read-mostly routes: customers, maintenance windows, severity, the partner's
 * iCalendar feed and the OpenAPI document.
 */
import type { z } from 'zod';
import { policy } from '#adapters/policy-source.ts';
import { queryAllChanges } from '#adapters/store/change-store.ts';
import { type Customer, listCustomers, readCustomer, readPartner } from '#adapters/store/directory-store.ts';
import { createApiHandler, type RouteContext } from '#commons/http/api-handler.ts';
import { RawBody } from '#commons/http/responses.ts';
import { openApiDocument } from '#contract/openapi.ts';
import type { severityQuery, windowsQuery } from '#contract/schemas.ts';
import { listWindows, toWindowView, zoneOf } from '#core/calendar.ts';
import { DomainError } from '#core/errors.ts';
import { changesToICalendar } from '#core/ical.ts';
import { assessSeverity } from '#core/severity.ts';
import { canSee, ownPartnerId } from '#core/visibility.ts';

function customerView(customer: Customer, withCertificates: boolean) {
  const { customerId, partnerId, name, region, version, sso, certificates } = customer;
  return {
    customerId,
    partnerId,
    name,
    region,
    version,
    sso,
    ...(withCertificates ? { certificates: certificates ?? [] } : {}),
  };
}

async function listCustomersRoute({ principal }: RouteContext) {
  const customers = await listCustomers(ownPartnerId(principal));
  return { items: customers.map((customer) => customerView(customer, false)) };
}

async function getCustomer({ params, principal }: RouteContext) {
  const customerId = params.customerId as string;
  const customer = await readCustomer(customerId);
  if (!customer || !canSee(principal, customer.partnerId)) {
    throw new DomainError('NOT_FOUND', 404, `customer ${customerId} was not found`);
  }
  return customerView(customer, true);
}

async function maintenanceWindows({ query, now }: RouteContext<unknown, z.output<typeof windowsQuery>>) {
  const windows = listWindows(policy, query.region, query.from ?? now, query.kind, query.count);
  return { region: query.region, timezone: zoneOf(policy, query.region), windows: windows.map(toWindowView) };
}

async function severity({ query }: RouteContext<unknown, z.output<typeof severityQuery>>) {
  const answer = assessSeverity(policy, query);
  return {
    severity: answer.severity,
    responseTarget: answer.responseTarget,
    ...(answer.respondBy ? { respondBy: answer.respondBy } : {}),
  };
}

async function partnerCalendar({ params, principal }: RouteContext) {
  const partnerId = params.partnerId as string;
  const partner = canSee(principal, partnerId) ? await readPartner(partnerId) : null;
  if (!partner) throw new DomainError('NOT_FOUND', 404, `partner ${partnerId} was not found`);
  const changes = (await queryAllChanges({ kind: 'partner', partnerId })).filter(
    (change) => change.status !== 'CANCELLED',
  );
  return new RawBody(
    'text/calendar; charset=utf-8',
    changesToICalendar(changes, `Maintenance: ${partner.name}`),
    {
      'content-disposition': `inline; filename="${partnerId}.ics"`,
    },
  );
}

async function openApi() {
  return openApiDocument();
}

export const handler = createApiHandler('catalog', {
  listCustomers: listCustomersRoute,
  getCustomer,
  listMaintenanceWindows: maintenanceWindows,
  getSeverity: severity,
  getPartnerCalendar: partnerCalendar,
  getOpenApi: openApi,
});
