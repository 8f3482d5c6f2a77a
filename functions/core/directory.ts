/**
 * The directory the rules work on: partners (who receive notices), their customers (whose dedicated
 * instances change) and the customers' certificates (which the nightly scan renews).
 */
import type { Region } from './vocabulary.ts';

export interface Contact {
  name?: string;
  email: string;
  /** Subscriptions; notices go to contacts subscribed to 'maintenance-and-outages'. */
  subscriptions: string[];
}

export interface Partner {
  partnerId: string;
  name: string;
  contacts: Contact[];
}

export interface Certificate {
  certificateId: string;
  commonName: string;
  expiresAt: string;
}

/** A certificate as the nightly scan lists it: with the customer it belongs to. */
export interface StoredCertificate extends Certificate {
  customerId: string;
}

export interface Customer {
  customerId: string;
  partnerId: string;
  name: string;
  region: Region;
  /** Running UC version, e.g. "14.0 SU3". */
  version: string;
  sso: boolean;
  contacts: { name?: string; email: string }[];
  certificates?: Certificate[];
}
