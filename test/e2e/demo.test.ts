/**
 * `npm run demo` plays its story against a running system (as after `npm start`) and checks it as it
 * goes; this test runs it as a child process, then reads the inbox itself: every kind of mail the story
 * promises arrived, and every backup alert stands for a backup that failed (one alert per failed
 * application and night: no flood). A story that cannot happen
 * (SES refusing every mail) ends with exit 1 and the step named.
 */

import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoBackupNight, nightAtOrBefore } from '#local/demo-backups.ts';
import { countMailKinds } from '#local/mail-kinds.ts';
import { loadDemoData } from '#local/seed.ts';
import { runBin, writeEndpointsFile } from './support/processes.ts';
import { type System, startSystem } from './support/system.ts';

let system: System;
let endpoints: string;
const demo = loadDemoData();
const customerIds = demo.customers.map((c) => c.customerId);
beforeAll(async () => {
  // As `npm start` runs it: the nightly schedules on, on the local clock.
  system = await startSystem('2026-11-23T15:00:00Z', { schedules: true });
  endpoints = writeEndpointsFile(system.runtime);
});
afterAll(async () => system?.stop());

describe('npm run demo', () => {
  it('plays the whole story against the running system in under a minute, and says where to look', async () => {
    const started = performance.now();
    const { code, stdout, stderr } = await runBin('tsx', ['local/demo.ts', '--endpoints', endpoints]);
    const seconds = (performance.now() - started) / 1000;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(seconds).toBeLessThan(60);
    for (const line of [
      `Playing against the running system at ${system.runtime.baseUrl}`,
      'Ops announce a planned upgrade of Globex (AMER) to 15.0 SU2.',
      'is SCHEDULED into the window 2026-12-08T21:00:00-05:00',
      'CONFIRMED in 2026-12-10T21:00:00-05:00',
      'A second request is refused: 409 RESCHEDULE_LIMIT_REACHED',
      'is IN_PROGRESS at once, no notice period',
      'is UPLOADED to /wayne-au/cop/cmterm-78xx.14-3-1-0001-12.k4.cop.sgn',
      'P2 NO_GOOD_BACKUP: "No good UNITY_CONNECTION backup for Initech GmbH (initech)',
      '24 hours before the window: the reminder goes to Acme and Globex.',
      'The window opens (2026-12-10T21:00:00-05:00 in New York)',
      'Three hours in, ops record the outcome: COMPLETED.',
      `Inbox          ${system.runtime.mail.inboxUrl}`,
      'The story happened as told',
    ])
      expect(stdout).toContain(line);

    const kinds = countMailKinds(await system.mails());
    expect(kinds).toMatchObject({
      'notice: scheduled': expect.any(Number),
      'notice: rescheduled': 1,
      'notice: reminder': expect.any(Number),
      'notice: started': expect.any(Number),
      'notice: emergency': 1,
      'COP upload outcome': 1,
    });
    expect(kinds['notice: outcome']).toBeGreaterThanOrEqual(2);

    // Alerts mean something and do not flood: one NO_GOOD_BACKUP per application and night whose backup
    // failed (the demo's own failure, and the demo backup system's seeded draws), and no other.
    const missed =
      /No good UNITY_CONNECTION backup for Initech GmbH \(initech\) in the 24 h before (\S+?)T/.exec(
        stdout,
      )?.[1];
    const epoch = DateTime.fromISO(system.runtime.demoEpoch, { zone: 'utc' });
    const end = system.runtime.clock.now();
    const expected = new Set<string>();
    for (
      let night = nightAtOrBefore(epoch).plus({ days: 1 });
      night <= end;
      night = night.plus({ days: 1 })
    ) {
      const forced = night.toISODate() === missed ? new Set(['initech/UNITY_CONNECTION']) : new Set<string>();
      for (const r of demoBackupNight(demo.backups, customerIds, night, epoch, forced))
        if (r.status === 'failed' && night.set({ hour: 11, minute: 30 }) <= end)
          expected.add(`${r.customerId}/${r.application}@${night.toISODate()}`);
    }
    expect(expected.has(`initech/UNITY_CONNECTION@${missed}`)).toBe(true);
    const raised = new Set<string>();
    for (const status of ['open', 'acknowledged']) {
      const answer = await system.call<{ items: { event: string; detail: Record<string, string> }[] }>(
        'GET',
        `/alerts?status=${status}`,
      );
      for (const a of answer.body.items)
        if (a.event === 'NO_GOOD_BACKUP')
          raised.add(`${a.detail.customerId}/${a.detail.application}@${a.detail.nightTo?.slice(0, 10)}`);
    }
    expect([...raised].sort()).toEqual([...expected].sort());
    expect(kinds['alert P2: NO_GOOD_BACKUP']).toBe(expected.size);

    // The inbox counts the demo printed are the inbox's.
    for (const [kind, count] of Object.entries(kinds))
      expect(stdout).toMatch(new RegExp(`${kind}\\s+${count}\\n`));
  });

  it('exits 1 naming the step when the story does not happen as told', async () => {
    await fetch(`${system.runtime.adminUrl}/faults/ses`, { method: 'POST', body: '{"failAlways":true}' });
    try {
      const { code, stderr } = await runBin('tsx', [
        'local/demo.ts',
        '--endpoints',
        endpoints,
        '--step-timeout',
        '2',
      ]);
      expect(stderr).toMatch(
        /The story did not happen as told: the "Scheduled maintenance" mail for chg_\w+ did not happen within 2 s/,
      );
      expect(code).toBe(1);
    } finally {
      await fetch(`${system.runtime.adminUrl}/faults/ses`, { method: 'POST', body: '{"heal":true}' });
    }
  });

  it('starts a system of its own, in memory, when none is running', async () => {
    const { code, stdout } = await runBin(
      'tsx',
      ['local/demo.ts', '--endpoints', '/nonexistent/endpoints.json'],
      {
        timeoutMs: 110_000,
      },
    );
    expect(stdout).toContain('No running system found: starting one in memory');
    expect(stdout).toContain('The story happened as told');
    expect(stdout).toContain('This system was started for the story and stops now.');
    expect(code).toBe(0);
  });
});
