/**
 * Lambda for the read-mostly routes: customers, maintenance windows, severity, the partner's
 * iCalendar feed and the OpenAPI document.
 */

import { apiIndex } from '#app/catalog/api-index.ts';
import { getCustomer, listCustomers } from '#app/catalog/customers.ts';
import { maintenanceWindows } from '#app/catalog/maintenance-windows.ts';
import { partnerCalendar } from '#app/catalog/partner-calendar.ts';
import { severityOfCase } from '#app/catalog/severity.ts';
import type { Ports } from '#app/ports.ts';
import { apiHandler } from '#commons/http/api-handler.ts';
import { RawBody } from '#commons/http/responses.ts';
import { onFirstCall } from '#commons/lazy.ts';
import { openApiDocument } from '#contract/openapi.ts';
import { awsPorts, dynamoDb, rules } from '#wiring/aws.ts';

export function catalogApi(ports: Pick<Ports, 'policy' | 'clock' | 'directory' | 'changes' | 'idempotency'>) {
  return apiHandler('catalog', ports, {
    listCustomers: ({ principal }) => listCustomers(ports, principal),
    getCustomer: ({ params, principal }) =>
      getCustomer(ports, { customerId: params.customerId as string, principal }),
    listMaintenanceWindows: ({ query, principal }) => maintenanceWindows(ports, { ...query, principal }),
    getSeverity: async ({ query }) => severityOfCase(ports, query),
    getPartnerCalendar: async ({ params, principal }) => {
      const feed = await partnerCalendar(ports, { partnerId: params.partnerId as string, principal });
      return new RawBody('text/calendar; charset=utf-8', feed.calendar, {
        'content-disposition': `inline; filename="${feed.partnerId}.ics"`,
      });
    },
    getOpenApi: async () => openApiDocument(),
    getIndex: async ({ principal }) => apiIndex(principal),
  });
}

export const handler = onFirstCall(() => catalogApi(awsPorts('catalog-api', rules, dynamoDb)));
