/** Identifiers handed out by the system: a readable prefix and 128 random bits. */
import { createHash, randomUUID } from 'node:crypto';

export type IdPrefix = 'chg' | 'cop' | 'bkp' | 'alr';

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomUUID().replaceAll('-', '')}`;
}

/**
 * An id derived from what it stands for (e.g. one renewal per certificate and expiry): writing the
 * same thing twice meets the same id, so a re-run or a concurrent run cannot create a duplicate.
 */
export function derivedId(prefix: string, key: string): string {
  return `${prefix}_${createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 24)}`;
}
