/** Identifiers handed out by the system: a readable prefix and 128 random bits. */
import { randomUUID } from 'node:crypto';

export type IdPrefix = 'chg' | 'cop' | 'bkp' | 'alr';

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomUUID().replaceAll('-', '')}`;
}
