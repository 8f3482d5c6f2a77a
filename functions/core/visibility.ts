/**
 * Who may see what (api.md "Isolation"): ops sees everything; a partner sees only what belongs to it
 * (its customers, their changes, its COP requests, its calendar). Anything a caller may not see is
 * answered as if it did not exist (404), never "forbidden", so ids of other partners reveal nothing.
 */
import type { Role } from './vocabulary.ts';

/** The caller of a request, as the authorizer resolved its API key. */
export type Principal =
  | { role: Extract<Role, 'ops'>; name?: string }
  | { role: Extract<Role, 'partner'>; partnerId: string; name?: string };

/** Whether the principal may see something that belongs to `ownerPartnerId`. */
export function canSee(principal: Principal, ownerPartnerId: string): boolean {
  return principal.role === 'ops' || principal.partnerId === ownerPartnerId;
}

/** The partner a principal is restricted to; undefined for ops, who sees every partner. */
export function ownPartnerId(principal: Principal): string | undefined {
  return principal.role === 'partner' ? principal.partnerId : undefined;
}

/** How a principal appears in a change's history: `ops` or `partner:<id>`. */
export function actorOf(principal: Principal): string {
  return principal.role === 'ops' ? 'ops' : `partner:${principal.partnerId}`;
}
