import { afterAll, beforeAll, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.ts';

let api: TestApi;
beforeAll(async () => { api = await startTestApi(); });
afterAll(async () => api?.close());

it('probes', async () => {
  const show = async (label: string, m: string, p: string, o = {}) => {
    const r = await api.call(m, p, o);
    console.log(label, r.status, r.text.slice(0, 300));
    return r;
  };
  await show('feb30 windows', 'GET', '/maintenance-windows?region=AMER&from=2026-02-30T00:00:00Z');
  await show('feb29 2027 windows', 'GET', '/maintenance-windows?region=AMER&from=2027-02-29T00:00:00Z');
  await show('sev feb30', 'GET', '/severity?impact=large&urgency=low&openedAt=2026-02-30T00:00:00Z');
  await show('sev 9999', 'GET', '/severity?impact=large&urgency=low&openedAt=9999-12-31T00:00:00Z');
  await show('sev 0000', 'GET', '/severity?impact=large&urgency=low&openedAt=0000-01-01T00:00:00Z');
  await show('windows 9999', 'GET', '/maintenance-windows?region=AMER&from=9999-12-30T00:00:00Z&count=5');
  await show('bad pct', 'GET', '/changes/%E0%A4%A');
  await show('backup feb30', 'POST', '/backups', { body: { customerId: 'globex', application: 'CUCM', takenAt: '2026-02-30T00:00:00Z', status: 'succeeded' } });
  await show('earliest feb30', 'POST', '/changes', { body: { customerId: 'globex', partnerId: 'acme-voice', type: 'patch', title: 't', disruptsCalling: false, earliestStart: '2026-02-30T00:00:00Z' } });
  await show('resched feb30', 'POST', '/changes/chg_x/reschedule', { key: api.keys.acme, body: { requestedStart: '2026-02-30T00:00:00Z', reason: 'r' } });
  const tok = Buffer.from(JSON.stringify({ gsi2pk: 'CHANGES' })).toString('base64url');
  await show('token missing keys', 'GET', `/changes?nextToken=${tok}`);
  await show('emergency now', 'POST', '/changes/emergency', { body: { customerId: 'globex', partnerId: 'acme-voice', reason: 'restore-service', customerImpact: 'x', title: 't', when: 'now' } });
  await show('planned', 'POST', '/changes', { body: { customerId: 'globex', partnerId: 'acme-voice', type: 'configuration', title: 't', disruptsCalling: true } });
  const l = await show('list', 'GET', '/changes?limit=1');
  await show('ics', 'GET', '/partners/acme-voice/calendar.ics');
  await show('certexp huge', 'POST', '/changes', { body: { customerId: 'globex', partnerId: 'acme-voice', type: 'certificate-renewal', title: 't', disruptsCalling: false, certificateExpiresAt: '9999-12-31T00:00:00Z' } });
  await show('offset +0100', 'GET', '/maintenance-windows?region=AMER&from=2026-11-23T15:00:00%2B0100');
  await show('lowercase z', 'GET', '/maintenance-windows?region=AMER&from=2026-11-23T15:00:00z');
  await show('post no body on get?', 'GET', '/customers?x=1');
  await show('openapi', 'GET', '/openapi.json');
  void l;
});
