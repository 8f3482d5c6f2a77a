/** Who an API key stands for: a principal, or null for a missing, oversized, unknown or revoked key. */
import { logger } from '#commons/logger.ts';
import type { Principal } from '#core/visibility.ts';
import type { Ports } from './ports.ts';

/** Longer than any key we hand out: refused without a lookup. */
const MAX_KEY_LENGTH = 256;

export async function authorize(
  ports: Pick<Ports, 'directory'>,
  key: string | undefined,
): Promise<Principal | null> {
  const principal = key && key.length <= MAX_KEY_LENGTH ? await ports.directory.resolveApiKey(key) : null;
  if (!principal) logger.info('api key refused', { present: Boolean(key) });
  return principal;
}
