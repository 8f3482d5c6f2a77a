/**
 * The operator CLI (`cmm`) against the local runtime: each command as a child process, its table and
 * its --json output, and the exit codes scripts rely on (0 done, 1 refused, 2 usage, 3 nothing answers).
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cmm, writeEndpointsFile } from './support/processes.ts';
import { type System, startSystem } from './support/system.ts';

let system: System;
let at: string[];
beforeAll(async () => {
  system = await startSystem('2026-11-23T15:00:00Z');
  at = ['--endpoints', writeEndpointsFile(system.runtime)];
});
afterAll(async () => system?.stop());

const json = <T = Record<string, unknown>>(stdout: string) => JSON.parse(stdout) as T;

describe('cmm changes', () => {
  it('creates a planned change, looking the partner up from the customer, and shows it', async () => {
    const created = await cmm([
      ...at,
      'changes',
      'create',
      '--customer',
      'globex',
      '--type',
      'patch',
      '--title',
      'Dial plan update',
      '--no-disrupts-calling',
      '--json',
    ]);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const change = json(created.stdout);
    expect(change).toMatchObject({ status: 'SCHEDULED', partnerId: 'acme-voice', disruptsCalling: false });
    await system.settle();

    const shown = await cmm([...at, 'changes', 'show', change.changeId as string]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`change:           ${change.changeId}`);
    expect(shown.stdout).toContain('status:           SCHEDULED');
    expect(shown.stdout).toContain(
      'window (local):   2026-11-24T21:00:00-05:00 -> 2026-11-25T06:00:00-05:00',
    );
    expect(shown.stdout).toMatch(/history:\n.*SCHEDULED\s+ops/);
    expect(shown.stdout).toMatch(/NOTICE_SENT/);

    const listed = await cmm([...at, 'changes', 'list', '--customer', 'globex']);
    expect(listed.code).toBe(0);
    const [header, ...rows] = listed.stdout.trim().split('\n');
    expect(header).toMatch(/^CHANGE\s+STATUS\s+CUSTOMER\s+REGION\s+TYPE\s+WINDOW \(UTC\)\s+TITLE$/);
    expect(rows.find((r) => r.startsWith(change.changeId as string))).toMatch(
      /SCHEDULED\s+globex\s+AMER\s+patch\s+2026-11-25 02:00Z\s+Dial plan update$/,
    );

    const cancelled = await cmm([
      ...at,
      'changes',
      'cancel',
      change.changeId as string,
      '--reason',
      'Not needed',
    ]);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toContain('status:           CANCELLED');

    // A refusal: exit 1, the API's code and message on stderr, nothing on stdout.
    const refused = await cmm([...at, 'changes', 'complete', change.changeId as string]);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^refused \(409 INVALID_STATE\): /);
    expect(refused.code).toBe(1);
  });

  it('pushes an emergency through and records its outcome', async () => {
    const emergency = await cmm([
      ...at,
      'changes',
      'emergency',
      '--customer',
      'initech',
      '--reason',
      'restore-service',
      '--impact',
      'Calls drop for a minute',
      '--title',
      'Restore the SIP trunk',
      '--json',
    ]);
    expect(emergency.code).toBe(0);
    const change = json(emergency.stdout);
    expect(change).toMatchObject({ status: 'IN_PROGRESS', emergency: true, partnerId: 'acme-voice' });
    await system.settle();

    const done = await cmm([
      ...at,
      'changes',
      'complete',
      change.changeId as string,
      '--outcome',
      'succeeded',
      '--notes',
      'Trunk restored',
    ]);
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('status:           COMPLETED');
    expect(done.stdout).toContain('outcome:          succeeded');
    const subjects = (await system.mails({ changeId: change.changeId as string })).map((m) => m.subject);
    expect(subjects).toContain(`[${change.changeId}] Maintenance completed: Restore the SIP trunk`);
  });

  it('answers 1 with the field named when the API refuses the input', async () => {
    const refused = await cmm([
      ...at,
      'changes',
      'create',
      '--customer',
      'nobody',
      '--partner',
      'acme-voice',
      '--type',
      'patch',
      '--title',
      'x',
      '--disrupts-calling',
    ]);
    expect(refused.stderr).toMatch(/^refused \(404 NOT_FOUND\): customer nobody/);
    expect(refused.code).toBe(1);
  });
});

describe('cmm windows', () => {
  it("lists a region's windows in local time and UTC, with their remaining capacity for ops", async () => {
    const { code, stdout } = await cmm([...at, 'windows', '--region', 'EU', '--count', '2']);
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toEqual([
      'EU (Europe/Berlin)',
      'WINDOW         LOCAL START                LOCAL END                  UTC START             BOOKED  LEFT',
      'EU#2026-11-23  2026-11-23T21:00:00+01:00  2026-11-24T06:00:00+01:00  2026-11-23T20:00:00Z  0/25    25',
      'EU#2026-11-24  2026-11-24T21:00:00+01:00  2026-11-25T06:00:00+01:00  2026-11-24T20:00:00Z  0/25    25',
    ]);
  });

  it('counts a booked change, and shows a partner no capacity', async () => {
    const created = await cmm([
      ...at,
      'changes',
      'create',
      '--customer',
      'initech',
      '--type',
      'patch',
      '--title',
      'Counted',
      '--no-disrupts-calling',
      '--json',
    ]);
    const window = (JSON.parse(created.stdout) as { window: { start: string } }).window.start;
    await system.settle();
    const ops = await cmm([...at, 'windows', '--region', 'EU', '--count', '1', '--from', window]);
    expect(ops.stdout).toMatch(/\s1\/25\s+24\n$/);
    const partner = await cmm([...at, '--as', 'acme-voice', 'windows', '--region', 'EU', '--count', '1']);
    expect(partner.stdout).toMatch(/Z\s+-\s+-\n$/);
  });
});

describe('cmm jobs and alerts', () => {
  it('runs the retention job, lists the alert it raised and acknowledges it', async () => {
    const listed = await cmm([...at, 'jobs', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/backup-retention\s+2026-11-24T11:30:00.000Z/);

    const ran = await cmm([...at, 'jobs', 'run', 'backup-retention', '--json']);
    expect(ran.code).toBe(0);
    expect(json(ran.stdout)).toMatchObject({ job: 'backup-retention', counts: { alerts: 1 } });

    const open = await cmm([...at, 'alerts', 'list', '--json']);
    expect(open.code).toBe(0);
    const [alert, ...others] = json<{ items: { alertId: string; event: string; detail: object }[] }>(
      open.stdout,
    ).items;
    expect(others).toEqual([]);
    expect(alert).toMatchObject({
      event: 'NO_GOOD_BACKUP',
      detail: { customerId: 'umbrella-jp', application: 'CER' },
    });

    const table = await cmm([...at, 'alerts', 'list']);
    expect(table.stdout).toMatch(
      new RegExp(`^ALERT\\s+PRIO\\s+EVENT.*\\n${alert?.alertId}\\s+P2\\s+NO_GOOD_BACKUP`),
    );

    const acked = await cmm([...at, 'alerts', 'ack', alert?.alertId as string, '--comment', 'on it']);
    expect(acked.code).toBe(0);
    expect(acked.stdout).toMatch(/acknowledged: 2026-11-23T15:00:00/);
    expect((await cmm([...at, 'alerts', 'list'])).stdout.trim()).toBe('(no open alerts)');
    expect((await cmm([...at, 'alerts', 'list', '--status', 'acknowledged'])).stdout).toContain(
      alert?.alertId,
    );
  });
});

describe('where the CLI finds the API, and its exit codes', () => {
  it('takes the address and key from the environment', async () => {
    const ops = system.keys.ops;
    const { code, stdout } = await cmm(['changes', 'list', '--json', '--endpoints', '/nonexistent'], {
      CMM_BASE_URL: system.runtime.baseUrl,
      CMM_API_KEY: ops,
    });
    expect(code).toBe(0);
    expect(json(stdout)).toHaveProperty('items');
  });

  it('acts as a partner with --as, and the API refuses ops routes with 1', async () => {
    const { code, stderr } = await cmm([...at, '--as', 'acme-voice', 'alerts', 'list']);
    expect(stderr.trim()).toBe('refused (403 FORBIDDEN): this route is for ops only');
    expect(code).toBe(1);
  });

  it('prints the refusal as JSON on stderr with --json', async () => {
    const { code, stdout, stderr } = await cmm([...at, 'changes', 'show', 'chg_nope', '--json']);
    expect(stdout).toBe('');
    expect(json(stderr)).toMatchObject({ status: 404, error: 'NOT_FOUND' });
    expect(code).toBe(1);
  });

  it('exits 3 when nothing answers at the address', async () => {
    const port = await closedPort();
    const { code, stderr } = await cmm([
      '--base-url',
      `http://127.0.0.1:${port}/v1`,
      '--key',
      'k',
      'changes',
      'list',
    ]);
    expect(stderr).toContain(`Nothing answers at http://127.0.0.1:${port}/v1 (ECONNREFUSED)`);
    expect(code).toBe(3);
  });

  it('exits 3 and says how to start the system when no address is known', async () => {
    const { code, stderr } = await cmm(['--endpoints', '/nonexistent/endpoints.json', 'changes', 'list']);
    expect(stderr).toContain(
      'No API address: pass --base-url, set CMM_BASE_URL, or start the local system with `npm start`',
    );
    expect(code).toBe(3);
  });
});

/** A port nothing listens on: bound, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
