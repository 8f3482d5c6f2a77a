/**
 * The API client: openapi-fetch over the types generated from the API's own OpenAPI document
 * (cli/api-types.ts), so a request or an answer that drifts from the contract fails the type check.
 * A refusal becomes an `ApiRefusal` (exit 1), a connection that cannot be made an `Unreachable` (exit 3).
 */
import createClient from 'openapi-fetch';
import type { operations, paths } from './api-types.ts';
import type { Connection } from './connection.ts';

export type Change = JsonOf<operations['getChange']['responses'][200]>;
export type ChangeList = JsonOf<operations['listChanges']['responses'][200]>;
export type Alert = JsonOf<operations['acknowledgeAlert']['responses'][200]>;
export type Windows = JsonOf<operations['listMaintenanceWindows']['responses'][200]>;
export type Customer = JsonOf<operations['getCustomer']['responses'][200]>;
type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;

export interface ErrorBody {
  error: string;
  message: string;
  details?: { path: string; message: string }[];
}

// Plain fields, not parameter properties: the CLI runs on Node's type stripping, which has none.
export class ApiRefusal extends Error {
  override name = 'ApiRefusal';
  readonly status: number;
  readonly body: ErrorBody;
  constructor(status: number, body: ErrorBody) {
    super(`${status} ${body.error}: ${body.message}`);
    this.status = status;
    this.body = body;
  }
}

export class Unreachable extends Error {
  override name = 'Unreachable';
}

async function reach(url: string, send: () => Promise<Response>): Promise<Response> {
  try {
    return await send();
  } catch (error) {
    const cause = (error as { cause?: { code?: string; errors?: { code?: string }[] } }).cause;
    const why = cause?.code ?? cause?.errors?.[0]?.code ?? (error as Error).message;
    throw new Unreachable(`Nothing answers at ${url} (${why}). Is the system running? (npm start)`);
  }
}

async function errorBody(response: Response): Promise<ErrorBody> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as Partial<ErrorBody>;
    return { error: body.error ?? `HTTP_${response.status}`, message: body.message ?? text, ...body };
  } catch {
    return { error: `HTTP_${response.status}`, message: text.slice(0, 500) || response.statusText };
  }
}

export function apiClient(connection: Connection) {
  const client = createClient<paths>({
    baseUrl: connection.baseUrl,
    headers: connection.key ? { 'x-api-key': connection.key } : {},
    fetch: (request) => reach(connection.baseUrl, () => fetch(request)),
  });
  return client;
}
export type ApiClient = ReturnType<typeof apiClient>;

/** The data of an openapi-fetch answer, or an `ApiRefusal` thrown with the API's error body. */
export async function ok<T>(pending: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await pending;
  if (response.ok && data !== undefined) return data;
  const body =
    error && typeof error === 'object' && 'error' in error
      ? (error as ErrorBody)
      : await errorBody(response.clone()).catch(() => ({ error: `HTTP_${response.status}`, message: '' }));
  throw new ApiRefusal(response.status, body);
}

/** A call to the local runtime's admin routes (/local/...), which are not part of the contract. */
export async function admin<T = unknown>(
  connection: Connection,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<T> {
  const url = `${connection.adminUrl}${path}`;
  const response = await reach(connection.adminUrl, () =>
    fetch(url, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
  if (!response.ok) throw new ApiRefusal(response.status, await errorBody(response));
  return (await response.json()) as T;
}
