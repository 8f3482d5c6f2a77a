/**
 * Where the API is and which key to use, from (first match wins):
 *   1. flags: --base-url, --key (or --as <partnerId>, a partner key from the endpoints file);
 *   2. the environment: CMM_BASE_URL, CMM_API_KEY;
 *   3. the endpoints file `npm start` writes (.local/endpoints.json, or --endpoints <file>):
 *      its base URL and its ops key.
 * The local admin routes (/local/...: the clock, the nightly jobs) are found beside the API.
 */
import { existsSync, readFileSync } from 'node:fs';

export const DEFAULT_ENDPOINTS_FILE = '.local/endpoints.json';

export interface EndpointsFile {
  baseUrl: string;
  adminUrl?: string;
  inboxUrl?: string;
  mailStoreUrl?: string;
  keys?: { key: string; role: 'ops' | 'partner'; partnerId?: string; name?: string }[];
}

export interface ConnectionOptions {
  baseUrl?: string;
  key?: string;
  as?: string;
  endpoints?: string;
}

export interface Connection {
  baseUrl: string;
  /** The local runtime's admin routes (`<origin>/local`). */
  adminUrl: string;
  key?: string;
  /** Where the base URL came from, for messages. */
  source: string;
}

/** Why no connection could be made (no address known, or a named partner has no key). */
export class ConnectionUnknown extends Error {
  override name = 'ConnectionUnknown';
}

export function readEndpointsFile(file: string): EndpointsFile | undefined {
  if (!existsSync(file)) return undefined;
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as EndpointsFile;
  if (typeof parsed.baseUrl !== 'string') throw new ConnectionUnknown(`${file} has no baseUrl`);
  return parsed;
}

export function resolveConnection(
  options: ConnectionOptions,
  env: Record<string, string | undefined> = process.env,
): Connection {
  const endpointsFile = options.endpoints ?? DEFAULT_ENDPOINTS_FILE;
  const endpoints = readEndpointsFile(endpointsFile);
  const flagOrEnv = options.baseUrl ?? env.CMM_BASE_URL;
  const baseUrl = (flagOrEnv ?? endpoints?.baseUrl)?.replace(/\/+$/, '');
  if (!baseUrl) {
    throw new ConnectionUnknown(
      `No API address: pass --base-url, set CMM_BASE_URL, or start the local system with \`npm start\` (it writes ${endpointsFile}).`,
    );
  }
  const source = options.baseUrl ? '--base-url' : env.CMM_BASE_URL ? 'CMM_BASE_URL' : endpointsFile;
  let key = options.key ?? env.CMM_API_KEY;
  if (options.as) {
    key = endpoints?.keys?.find((k) => k.role === 'partner' && k.partnerId === options.as)?.key;
    if (!key) throw new ConnectionUnknown(`No key for partner ${options.as} in ${endpointsFile}.`);
  }
  // The endpoints file's keys belong to the system it describes, not to one named by flag or env.
  if (!key && !flagOrEnv) key = endpoints?.keys?.find((k) => k.role === 'ops')?.key;
  const adminUrl =
    !flagOrEnv && endpoints?.adminUrl ? endpoints.adminUrl : `${new URL(baseUrl).origin}/local`;
  return { baseUrl, adminUrl, ...(key ? { key } : {}), source };
}
