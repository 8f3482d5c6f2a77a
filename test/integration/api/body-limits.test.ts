/**
 * Bodies over the limits get their 413 in the contract's error shape, whatever their size (api.md,
 * "Errors"): over 64 KiB the handlers refuse them; over 10 MB (API Gateway's own limit) the local
 * gateway does, without keeping more than the limit in memory. Before, a body over ~10 MB reset the
 * connection: the client saw a network error, not an answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.ts';
import { expectRefusal, MONDAY, plannedBody, tableSnapshot } from './fixtures.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi(MONDAY);
});
afterAll(async () => api?.close());

const MB = 1024 * 1024;

/** A JSON body of about `bytes` bytes: a change whose description pads it. */
function bodyOfSize(bytes: number): string {
  return JSON.stringify(plannedBody({ description: 'x'.repeat(bytes) }));
}

/** The same bytes sent in 64 KiB chunks with no Content-Length (chunked transfer encoding). */
function streamOf(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, offset + 64 * 1024));
      offset += 64 * 1024;
    },
  });
}

async function post(body: string | ReadableStream<Uint8Array>) {
  const response = await fetch(`${api.baseUrl}/changes`, {
    method: 'POST',
    headers: { 'x-api-key': api.keys.ops, 'content-type': 'application/json' },
    body,
    ...(typeof body === 'string' ? {} : { duplex: 'half' }),
  } as RequestInit);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) as unknown, text };
}

describe('a body over the limits', () => {
  it.each([
    { what: '1 MB', bytes: MB, streamed: false },
    { what: '20 MB', bytes: 20 * MB, streamed: false },
    { what: '20 MB sent in chunks with no Content-Length', bytes: 20 * MB, streamed: true },
    { what: '64 MB', bytes: 64 * MB, streamed: false },
  ])('gets 413 PAYLOAD_TOO_LARGE for $what, not a reset connection, and writes nothing', async (c) => {
    // Prepare
    const before = await tableSnapshot(api);
    const text = bodyOfSize(c.bytes);

    // Act
    const response = await post(c.streamed ? streamOf(text) : text);

    // Assess
    expectRefusal(response, 413, 'PAYLOAD_TOO_LARGE');
    expect(Object.keys(response.body as object).sort()).toEqual(['error', 'message']);
    expect(await tableSnapshot(api)).toEqual(before);
  });

  it('leaves the API answering the next request', async () => {
    await post(bodyOfSize(20 * MB));

    const response = await api.call('GET', '/customers');

    expect(response.status).toBe(200);
  });
});
