/**
 * Paging helpers shared by the listings: opaque page tokens for callers, and walking every page of a
 * paged read.
 */

/** A page token the listing did not give out (the API answers 400 naming `nextToken`). */
export class InvalidPageToken extends Error {
  override readonly name = 'InvalidPageToken';
}

/** A position in a listing as an opaque, URL-safe token (base64url JSON). */
export function encodePageToken(position: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/**
 * The position a token stands for, if it is one this listing could have given out: an object of
 * exactly the `fields` named, each a non-empty string of at most 1024 characters, accepted by `fits`
 * (e.g. positioned inside the partition being read). Anything else is undefined: the caller refuses it.
 */
export function decodePageToken(
  token: string,
  fields: readonly string[],
  fits: (position: Record<string, string>) => boolean,
): Record<string, string> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const position = value as Record<string, unknown>;
  const names = Object.keys(position).sort();
  const expected = [...fields].sort();
  if (names.length !== expected.length || names.some((name, i) => name !== expected[i])) return undefined;
  const valid = Object.values(position).every(
    (field) => typeof field === 'string' && field.length > 0 && field.length <= 1024,
  );
  if (!valid) return undefined;
  return fits(position as Record<string, string>) ? (position as Record<string, string>) : undefined;
}

/** Every item of a paged read, page after page until `readPage` gives no next position. */
export async function readAllPages<T, P>(
  readPage: (after: P | undefined) => Promise<{ items: readonly T[]; next?: P | undefined }>,
): Promise<T[]> {
  const items: T[] = [];
  let after: P | undefined;
  do {
    const page = await readPage(after);
    items.push(...page.items);
    after = page.next;
  } while (after !== undefined);
  return items;
}
