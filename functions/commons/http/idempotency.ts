/**
 * What the API's idempotency middleware (./middleware.ts) keeps: the first response of a POST under an
 * `Idempotency-Key`, per caller and route, for its retries. An edge concern, not a use case's: the
 * store is declared here and wired with the other ports (functions/adapters/dynamodb/idempotency-store.ts).
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { DateTime } from 'luxon';

export interface StoredResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export type IdempotencyStart =
  | { kind: 'first' }
  | { kind: 'replay'; response: StoredResponse }
  /** The key was used with another request. */
  | { kind: 'reused' }
  /** An attempt with this key is still running. */
  | { kind: 'in-progress' };

/** The first response of a POST under an Idempotency-Key, kept for its retries. */
export interface IdempotencyStore {
  begin(scope: string, key: string, fingerprint: string, now: DateTime): Promise<IdempotencyStart>;
  complete(scope: string, key: string, response: StoredResponse): Promise<void>;
  /** The attempt failed without an answer worth keeping: a retry starts afresh. */
  abandon(scope: string, key: string): Promise<void>;
}

/**
 * The hash of a request's parts as canonical JSON (RFC 8785: object keys sorted at every depth, one
 * number and string form): the same body with its keys in another order is the same request.
 * RFC 8785 has no form for a lone surrogate or a number JSON.parse made infinite (`1e400`); the
 * validated bodies of today hold neither, but a request must never fail here, so such parts are
 * hashed as plain JSON text instead (still the same hash for the same request).
 */
export function requestFingerprint(parts: unknown): string {
  let text: string | undefined;
  try {
    text = canonicalize(parts);
  } catch {
    text = JSON.stringify(parts);
  }
  return createHash('sha256')
    .update(text ?? '', 'utf8')
    .digest('hex');
}
