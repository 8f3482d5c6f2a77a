/** Customers as callers see them: ops every customer, a partner its own. */

import { notFound } from '#app/changes/new-change.ts';
import type { Ports } from '#app/ports.ts';
import type { Customer } from '#core/directory.ts';
import { canSee, ownPartnerId, type Principal } from '#core/visibility.ts';

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

export async function listCustomers(ports: Pick<Ports, 'directory'>, principal: Principal) {
  const customers = await ports.directory.listCustomers(ownPartnerId(principal));
  return { items: customers.map((customer) => customerView(customer, false)) };
}

/** One customer with its certificates. */
export async function getCustomer(
  ports: Pick<Ports, 'directory'>,
  request: { principal: Principal; customerId: string },
) {
  const customer = await ports.directory.readCustomer(request.customerId);
  if (!customer || !canSee(request.principal, customer.partnerId))
    throw notFound('customer', request.customerId);
  return customerView(customer, true);
}
