import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api?.close());

describe('the local API', () => {
  it('schedules a planned change for ops and shows it to the owning partner only', async () => {
    const created = await api.call('POST', '/changes', {
      body: { customerId: 'globex', partnerId: 'acme-voice', type: 'configuration', title: 'Dial plan', disruptsCalling: true },
    });
    expect(created.status).toBe(201);
    const id = created.body.changeId as string;
    expect((await api.call('GET', `/changes/${id}`, { key: api.keys.acme })).status).toBe(200);
    expect((await api.call('GET', `/changes/${id}`, { key: api.keys.pacific })).status).toBe(404);
  });
});
