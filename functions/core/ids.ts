/**
 * Ids derived from what they stand for (one renewal per certificate and expiry, one alert per
 * condition): writing the same thing twice meets the same id, so a re-run or a concurrent run cannot
 * create a duplicate. (Fresh random ids come from the Ids port.)
 */
import { createHash } from 'node:crypto';

/** `<prefix>_<the first hexDigits of sha256(key)>`. */
export function derivedId(prefix: string, key: string, hexDigits = 24): string {
  return `${prefix}_${createHash('sha256').update(key, 'utf8').digest('hex').slice(0, hexDigits)}`;
}

/** The id of the alert a dedupe key stands for: raising the same alert again finds the first. */
export function alertIdOf(dedupeKey: string): string {
  return derivedId('alr', dedupeKey, 32);
}
