/**
 * `npm run demo`: a day in the life of the system, played in well under a minute by moving the local
 * clock (`POST /local/clock`), against the system `npm start` runs (found through .local/endpoints.json)
 * or, when none answers, one it starts itself in memory.
 *
 * The story, in order, each step checked (the demo exits 1 when the story did not happen as told):
 *   1. ops announce a planned upgrade for Globex (AMER): the `scheduled` notice goes to Acme Voice;
 *   2. Acme reschedules it once through the API; a second attempt is refused;
 *   3. an emergency at Initech (EU): started now, the emergency notice, then completed;
 *   4. Pacific Telecom asks for a COP file for Wayne (AUS): the nightly COP job uploads it;
 *   5. nights pass: the runtime's demo backup system reports each night's backups (local/demo-backups.ts);
 *      the demo asks that Initech's Unity Connection fail one night (POST /local/backups/fail): the
 *      nightly retention job raises one P2 NO_GOOD_BACKUP alert for it, mailed to ops, who acknowledge it;
 *   6. the reminder 24 h before the window, the window starts, ops record the outcome: the completion
 *      notice.
 * Then it lists what the nightly scans did meanwhile, the alerts, and the inbox by kind of mail.
 */
import { Command } from 'commander';
import { DateTime } from 'luxon';
import { admin, apiClient, type Change, ok } from '#cli/client.ts';
import { type Connection, DEFAULT_ENDPOINTS_FILE, readEndpointsFile } from '#cli/connection.ts';
import { table } from '#cli/output.ts';
import { EXIT, parse, parseCommandLine } from '#cli/usage.ts';
import { DEFAULT_POLICY } from '#core/policy.ts';
import { countMailKinds } from './mail-kinds.ts';
import type { StoredMail } from './mail-store.ts';

/** Where the clock starts when the demo runs its own system: Monday 23 November 2026, 10:00 in New York. */
const OWN_CLOCK_START = '2026-11-23T15:00:00Z';

class StoryError extends Error {
  override name = 'StoryError';
}

interface Target {
  baseUrl: string;
  adminUrl: string;
  inboxUrl: string;
  keys: { ops: string; acme: string; pacific: string };
  stop?: () => Promise<void>;
}

const command = new Command('npm run demo --')
  .description(
    'Plays a whole story in under a minute of real time by moving the local clock: a planned upgrade, a reschedule, ' +
      'reminders, the window, the completion notice; an emergency; a COP request; a missed backup and its alert.',
  )
  .option('--endpoints <file>', 'the endpoints file of the running system', DEFAULT_ENDPOINTS_FILE)
  .option('--own', 'start its own system in memory even when one is running')
  .option('--keep', 'with its own system: keep it running after the story (Ctrl-C stops it)')
  .option(
    '--step-timeout <seconds>',
    'how long a step may take before the story counts as failed',
    parse.positiveInt,
    20,
  )
  .addHelpText(
    'after',
    `
With \`npm start\` running (in another terminal) it plays against that system and its inbox; otherwise it
starts one in memory, with the clock at ${OWN_CLOCK_START}, and stops it at the end (unless --keep).
Exit codes: 0 the story happened as told; 1 it did not (the step is named); 2 usage error.`,
  );

const stopEarly = await parseCommandLine(command, process.argv.slice(2));
if (stopEarly !== undefined) process.exit(stopEarly);
const options = command.opts<{ endpoints: string; own?: boolean; keep?: boolean; stepTimeout: number }>();

const started = performance.now();
let target: Target | undefined;
try {
  target = (options.own ? undefined : await runningSystem(options.endpoints)) ?? (await ownSystem());
  await story(target);
  console.log(
    `\nThe story happened as told, in ${((performance.now() - started) / 1000).toFixed(1)} s of real time.`,
  );
  if (target.stop && options.keep) {
    console.log(
      `The system keeps running (API ${target.baseUrl}, inbox ${target.inboxUrl}); Ctrl-C stops it.`,
    );
    await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  }
  process.exitCode = EXIT.ok;
} catch (error) {
  if (!(error instanceof StoryError)) throw error;
  console.error(`\nThe story did not happen as told: ${error.message}`);
  process.exitCode = EXIT.refused;
} finally {
  await target?.stop?.();
}

async function runningSystem(file: string): Promise<Target | undefined> {
  const endpoints = readEndpointsFile(file);
  if (!endpoints?.adminUrl) return undefined;
  const answers = await fetch(`${endpoints.adminUrl}/clock`).then(
    (r) => r.ok,
    () => false,
  );
  if (!answers) {
    console.log(
      `(${file} names ${endpoints.baseUrl}, but nothing answers there: starting a system of its own.)`,
    );
    return undefined;
  }
  const keys = endpoints.keys ?? [];
  const key = (match: (k: (typeof keys)[number]) => boolean) => {
    const found = keys.find(match)?.key;
    if (!found) throw new StoryError(`${file} lacks a key the story needs`);
    return found;
  };
  console.log(`Playing against the running system at ${endpoints.baseUrl} (from ${file}).`);
  return {
    baseUrl: endpoints.baseUrl,
    adminUrl: endpoints.adminUrl,
    inboxUrl: endpoints.inboxUrl ?? '(the inbox URL is in the start banner)',
    keys: {
      ops: key((k) => k.role === 'ops'),
      acme: key((k) => k.partnerId === 'acme-voice'),
      pacific: key((k) => k.partnerId === 'pacific-telecom'),
    },
  };
}

async function ownSystem(): Promise<Target> {
  console.log(
    'No running system found: starting one in memory (DynamoDB Local, workflow, schedules, inbox) ...',
  );
  const { startRuntime } = await import('./runtime.ts');
  const runtime = await startRuntime({ port: 0, mailPort: 0, clockStart: OWN_CLOCK_START, clockSpeed: 0 });
  const key = (match: (k: (typeof runtime.keys)[number]) => boolean) =>
    runtime.keys.find(match)?.key as string;
  console.log(
    `Started in ${((performance.now() - started) / 1000).toFixed(1)} s; its clock is frozen at ${OWN_CLOCK_START}.`,
  );
  return {
    baseUrl: runtime.baseUrl,
    adminUrl: runtime.adminUrl,
    inboxUrl: runtime.mail.inboxUrl,
    keys: {
      ops: key((k) => k.role === 'ops'),
      acme: key((k) => k.partnerId === 'acme-voice'),
      pacific: key((k) => k.partnerId === 'pacific-telecom'),
    },
    stop: () => runtime.stop(),
  };
}

async function story(t: Target): Promise<void> {
  const connection = (key: string): Connection => ({
    baseUrl: t.baseUrl,
    adminUrl: t.adminUrl,
    key,
    source: 'demo',
  });
  const ops = apiClient(connection(t.keys.ops));
  const acme = apiClient(connection(t.keys.acme));
  const pacific = apiClient(connection(t.keys.pacific));
  const local = connection(t.keys.ops);

  const clock = async () =>
    DateTime.fromISO((await admin<{ now: string }>(local, 'GET', '/clock')).now, { zone: 'utc' });
  const moveTo = async (instant: DateTime) => {
    const now = await clock();
    if (instant > now) await admin(local, 'POST', '/clock', { set: instant.toUTC().toISO() });
  };
  const mailsBefore = new Set(
    (await admin<{ items: StoredMail[] }>(local, 'GET', '/mails')).items.map(mailKey),
  );
  const newMails = async () =>
    (await admin<{ items: StoredMail[] }>(local, 'GET', '/mails')).items.filter(
      (m) => !mailsBefore.has(mailKey(m)),
    );
  const step = async (title: string) => console.log(`\n${stamp(await clock())}  ${title}`);
  const say = (line: string) => console.log(`    ${line}`);
  const history = async (changeId: string) =>
    ok(ops.GET('/changes/{changeId}', { params: { path: { changeId } } }));
  const changeReaches = (changeId: string, event: string, what: string) =>
    until(what, async () => {
      const change = await history(changeId);
      return change.history?.some((h) => h.event === event) ? change : undefined;
    });
  const mailArrives = (what: string, match: (m: StoredMail) => boolean) =>
    until(what, async () => (await newMails()).find(match));
  const partnerMail = (changeId: string, subjectPart: string) =>
    mailArrives(
      `the "${subjectPart}" mail for ${changeId}`,
      (m) => m.subject.includes(changeId) && m.subject.includes(subjectPart),
    );
  const demoChanges = new Set<string>();

  // The runtime's demo backup system reports every application's backup at 02:00 UTC each night
  // (local/demo-backups.ts); jumping the clock runs every night it passes, in order, before that day's
  // retention run. The demo only asks for one failure, through POST /local/backups/fail.
  // Day by day, each day's runs done before the next: alerts are raised on the day they are due.
  const jobsIdle = () =>
    until('the nightly runs the clock passed over', async () =>
      (await admin<{ catchingUp?: boolean }>(local, 'GET', '/jobs')).catchingUp ? undefined : true,
    );
  const passNightsUntil = async (target: DateTime) => {
    for (let noon = nextAt(await clock(), [12]); noon < target; noon = noon.plus({ days: 1 })) {
      await moveTo(noon);
      await jobsIdle();
    }
    await moveTo(target);
    await jobsIdle();
  };

  // 1. A planned upgrade, announced.
  await step('Ops announce a planned upgrade of Globex (AMER) to 15.0 SU2.');
  const upgrade = await ok(
    ops.POST('/changes', {
      body: {
        customerId: 'globex',
        partnerId: 'acme-voice',
        type: 'upgrade',
        trigger: 'partner-request',
        targetVersion: '15.0 SU2',
        title: 'Upgrade Globex to 15.0 SU2',
        disruptsCalling: true,
      },
    }),
  );
  demoChanges.add(upgrade.changeId);
  expect(upgrade.status === 'SCHEDULED', `the upgrade is SCHEDULED (it is ${upgrade.status})`);
  say(`${upgrade.changeId} is SCHEDULED into the window ${windowText(upgrade)},`);
  say(
    `10 business days of notice away. Acme may answer until ${upgrade.replyBy} and reschedule until ${upgrade.rescheduleCutoff}.`,
  );
  const scheduledMail = await partnerMail(upgrade.changeId, 'Scheduled maintenance');
  say(
    `Notice "${scheduledMail.subject}" to ${scheduledMail.to.join(', ')} (cc ${scheduledMail.cc.join(', ')}), with the window as an .ics file.`,
  );

  // 2. The partner reschedules through the API, once.
  await moveTo((await clock()).plus({ hours: 2 }));
  await step('Acme Voice asks to move it: Globex closes its books that week.');
  const later = await ok(
    acme.GET('/maintenance-windows', {
      params: {
        query: { region: 'AMER', from: plusMinute(upgrade.window.start), count: 2, kind: 'customer' },
      },
    }),
  );
  const requestedStart = later.windows[1]?.start;
  if (!requestedStart) throw new StoryError('no later AMER window to move to');
  const moved = await ok(
    acme.POST('/changes/{changeId}/reschedule', {
      params: { path: { changeId: upgrade.changeId } },
      body: { requestedStart, reason: 'Month-end close at Globex' },
    }),
  );
  expect(
    moved.status === 'CONFIRMED' && moved.window.start === requestedStart,
    'the reschedule moves and confirms the change',
  );
  say(
    `POST /v1/changes/${upgrade.changeId}/reschedule (Acme's key): CONFIRMED in ${windowText(moved)}; reschedules left: ${moved.reschedulesRemaining}.`,
  );
  await partnerMail(upgrade.changeId, 'Maintenance rescheduled');
  say('Notice "Maintenance rescheduled" sent; the calendar feed moves the event (same UID, next SEQUENCE).');
  const again = await acme.POST('/changes/{changeId}/reschedule', {
    params: { path: { changeId: upgrade.changeId } },
    body: { requestedStart: upgrade.window.start, reason: 'Back again, please' },
  });
  const refusal = again.error as { error?: string; message?: string } | undefined;
  expect(
    again.response.status === 409 && refusal?.error === 'RESCHEDULE_LIMIT_REACHED',
    'a second reschedule is refused with 409',
  );
  say(`A second request is refused: 409 ${refusal?.error} (${refusal?.message}).`);
  const feed = await fetch(`${t.baseUrl}/partners/acme-voice/calendar.ics`, {
    headers: { 'x-api-key': t.keys.acme },
  });
  const ics = await feed.text();
  expect(feed.ok && ics.includes(`UID:${upgrade.changeId}`), "the change is in Acme's calendar feed");
  say(
    `Acme's calendar feed has it: curl -H 'x-api-key: ${t.keys.acme}' ${t.baseUrl}/partners/acme-voice/calendar.ics`,
  );

  // 3. An emergency.
  await moveTo((await clock()).plus({ hours: 1 }));
  await step(
    'Initech (EU) loses calling after a failed SIP trunk update: ops push an emergency change through now.',
  );
  const emergency = await ok(
    ops.POST('/changes/emergency', {
      body: {
        customerId: 'initech',
        partnerId: 'acme-voice',
        reason: 'restore-service',
        customerImpact: 'Calls may drop for up to 15 minutes while the trunk restarts.',
        title: 'Restore the Initech SIP trunk',
        type: 'configuration',
        when: 'now',
      },
    }),
  );
  demoChanges.add(emergency.changeId);
  expect(
    emergency.status === 'IN_PROGRESS',
    `the emergency is IN_PROGRESS at once (it is ${emergency.status})`,
  );
  await partnerMail(emergency.changeId, 'EMERGENCY maintenance');
  say(
    `${emergency.changeId} is IN_PROGRESS at once, no notice period; "EMERGENCY maintenance" mailed to Acme and Initech.`,
  );
  await moveTo((await clock()).plus({ minutes: 40 }));
  const fixed = await ok(
    ops.POST('/changes/{changeId}/complete', {
      params: { path: { changeId: emergency.changeId } },
      body: { outcome: 'succeeded', notes: 'Trunk restored; calls verified from three sites.' },
    }),
  );
  expect(fixed.status === 'COMPLETED', 'the emergency is completed');
  await partnerMail(emergency.changeId, 'Maintenance completed');
  say(
    '40 minutes later ops record the outcome: COMPLETED, and the outcome notice goes out with their notes.',
  );

  // 4. A COP file request.
  await moveTo((await clock()).plus({ hours: 1 }));
  const copFile = DEFAULT_POLICY.cop.catalog[0]?.file as string;
  await step(`Pacific Telecom asks for a COP file for Wayne (AUS): ${copFile}.`);
  const cop = await ok(
    pacific.POST('/cop-requests', { body: { customerId: 'wayne-au', copFile, reason: 'New 7800 phones' } }),
  );
  expect(cop.status === 'PENDING', 'the COP request is PENDING');
  say(`${cop.requestId} is PENDING; the COP job runs at 01:00 and 13:00 UTC.`);
  const copRun = nextAt(await clock(), [1, 13]);
  // The coming night, one backup fails on purpose.
  const missedNight = nextNight(await clock());
  await admin(local, 'POST', '/backups/fail', { customerId: 'initech', application: 'UNITY_CONNECTION' });
  await passNightsUntil(copRun.plus({ minutes: 5 }));
  const uploaded = await until('the COP file uploaded', async () => {
    const request = await ok(
      pacific.GET('/cop-requests/{requestId}', { params: { path: { requestId: cop.requestId } } }),
    );
    return request.status === 'PENDING' ? undefined : request;
  });
  expect(
    uploaded.status === 'UPLOADED',
    `the COP request is UPLOADED (it is ${uploaded.status}: ${uploaded.rejectionReason ?? ''})`,
  );
  await step(`The COP job ran: ${cop.requestId} is UPLOADED to ${uploaded.sftpPath}.`);
  const copMail = await mailArrives('the COP upload mail', (m) => m.subject.includes(cop.requestId));
  say(`"${copMail.subject}" mailed to ${copMail.to.join(', ')}.`);

  // 5. A missed backup and its alert.
  const retentionRun = nextAt(missedNight, [11], 30);
  await passNightsUntil(retentionRun.plus({ minutes: 5 }));
  await step(
    `At 02:00 Initech's Unity Connection backup failed; the retention job of ${retentionRun.toFormat('HH:mm')} UTC saw no good backup in 24 h.`,
  );
  const alert = await until('the NO_GOOD_BACKUP alert for Initech', async () => {
    const open = await ok(ops.GET('/alerts', { params: { query: { status: 'open' } } }));
    return open.items.find(
      (a) =>
        a.event === 'NO_GOOD_BACKUP' &&
        a.detail.customerId === 'initech' &&
        a.detail.application === 'UNITY_CONNECTION',
    );
  });
  say(`${alert.priority} ${alert.event}: "${alert.subject}", respond by ${alert.respondBy}.`);
  const alertMail = await mailArrives(
    'the alert mail to ops',
    (m) => m.to.includes('ops-alerts@provider.example') && m.subject.includes('UNITY_CONNECTION'),
  );
  say(`Mailed to ${alertMail.to.join(', ')}: "${alertMail.subject}".`);
  const acknowledged = await ok(
    ops.POST('/alerts/{alertId}/acknowledge', {
      params: { path: { alertId: alert.alertId } },
      body: { comment: 'Re-running the backup by hand' },
    }),
  );
  expect(Boolean(acknowledged.acknowledgedAt), 'the alert is acknowledged');
  say(
    `Ops take it in hand: POST /v1/alerts/${alert.alertId}/acknowledge (or: npx cmm alerts ack ${alert.alertId}).`,
  );

  // 6. Reminder, window, completion.
  const start = DateTime.fromISO(moved.window.start, { zone: 'utc' });
  await passNightsUntil(start.minus({ hours: 24 }).plus({ minutes: 1 }));
  await changeReaches(upgrade.changeId, 'REMINDER_SENT', 'the reminder');
  await partnerMail(upgrade.changeId, 'Reminder');
  await step('24 hours before the window: the reminder goes to Acme and Globex.');
  say('Meanwhile every night passed ran: the backup reports, the retention, the COP and the scans (below).');

  await passNightsUntil(start.plus({ minutes: 1 }));
  const running = await changeReaches(upgrade.changeId, 'STARTED', 'the window start');
  expect(running.status === 'IN_PROGRESS', 'the upgrade is IN_PROGRESS at its window');
  await partnerMail(upgrade.changeId, 'Maintenance started');
  await step(
    `The window opens (${moved.window.localStart} in New York): IN_PROGRESS, "Maintenance started" sent.`,
  );

  await moveTo(start.plus({ hours: 3 }));
  const done = await ok(
    ops.POST('/changes/{changeId}/complete', {
      params: { path: { changeId: upgrade.changeId } },
      body: { outcome: 'succeeded', notes: 'All nodes on 15.0 SU2; phones re-registered.' },
    }),
  );
  expect(done.status === 'COMPLETED', 'the upgrade is completed');
  const completion = await partnerMail(upgrade.changeId, 'Upgrade completed');
  await step('Three hours in, ops record the outcome: COMPLETED.');
  say(`"${completion.subject}" to ${completion.to.join(', ')}.`);

  // What else happened, and where to look.
  const all: Change[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ok(
      ops.GET('/changes', { params: { query: { limit: 100, ...(nextToken ? { nextToken } : {}) } } }),
    );
    all.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken);
  const others = all.filter((c) => !demoChanges.has(c.changeId));
  console.log(
    `\nThe other changes in the system (the nightly certificate and release scans add some): ${others.length}`,
  );
  console.log(
    indent(
      table(others, [
        ['CHANGE', (c) => c.changeId],
        ['STATUS', (c) => c.status],
        ['CUSTOMER', (c) => c.customerId],
        [
          'TYPE',
          (c) =>
            `${c.type}${c.trigger ? ` (${c.trigger})` : ''}${c.urgent ? ', urgent' : ''}${c.emergency ? ', emergency' : ''}`,
        ],
        ['WINDOW (UTC)', (c) => c.window.start],
      ]),
    ),
  );
  const openAlerts = (await ok(ops.GET('/alerts', { params: { query: { status: 'open' } } }))).items;
  console.log(`\nOpen alerts: ${openAlerts.length}`);
  console.log(
    indent(
      table(openAlerts, [
        ['PRIO', (a) => a.priority],
        ['EVENT', (a) => a.event],
        ['SUBJECT', (a) => a.subject],
      ]),
    ),
  );
  const mails = await newMails();
  // The CLI finds a system `npm start` runs by itself; one the demo started needs its address and key.
  const cliFlags = t.stop ? ` --base-url ${t.baseUrl} --key ${t.keys.ops}` : '';
  const kinds = countMailKinds(mails);
  console.log(`\nThe inbox got ${mails.length} mails during the story, by kind:`);
  console.log(
    indent(
      table(Object.entries(kinds), [
        ['KIND', ([k]) => k],
        ['MAILS', ([, n]) => n],
      ]),
    ),
  );
  if (t.stop && !options.keep) {
    console.log(
      '\nThis system was started for the story and stops now. To look around afterwards: `npm run demo -- --keep`,\n' +
        'or `npm start` in another terminal first and then `npm run demo`. There:',
    );
  }
  console.log(`
Where to look:
    Inbox          ${t.inboxUrl}   (JSON: ${t.adminUrl}/mails)
    The upgrade    npx cmm${cliFlags} changes show ${upgrade.changeId}
    Calendar feed  curl -H 'x-api-key: ${t.keys.acme}' ${t.baseUrl}/partners/acme-voice/calendar.ics
    Alerts         npx cmm${cliFlags} alerts list --status acknowledged
    Events         ${t.adminUrl}/events?changeId=${upgrade.changeId}
    The API        ${t.baseUrl}/openapi.json (docs/api.md)`);
}

function expect(condition: boolean, what: string): void {
  if (!condition) throw new StoryError(what);
}

/** Polls until `check` returns a value: the lifecycle and the jobs run asynchronously after a clock move. */
async function until<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = options.stepTimeout * 1000,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (performance.now() > deadline)
      throw new StoryError(`${what} did not happen within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The next 02:00 UTC strictly after `instant`: when the demo's backups run. */
function nextNight(instant: DateTime): DateTime {
  const today = instant.toUTC().startOf('day').set({ hour: 2 });
  return today > instant ? today : today.plus({ days: 1 });
}

/** The next instant after `instant` at one of these UTC hours (and minute). */
function nextAt(instant: DateTime, hours: number[], minute = 0): DateTime {
  const candidates = [0, 1].flatMap((d) =>
    hours.map((h) => instant.toUTC().startOf('day').plus({ days: d }).set({ hour: h, minute })),
  );
  return candidates.filter((c) => c > instant).sort((a, b) => a.toMillis() - b.toMillis())[0] as DateTime;
}

function plusMinute(iso: string): string {
  return DateTime.fromISO(iso, { zone: 'utc' }).plus({ minutes: 1 }).toISO() as string;
}
function stamp(instant: DateTime): string {
  return `[${instant.toUTC().toFormat("ccc d LLL HH:mm'Z'")}]`;
}
function windowText(c: Change): string {
  return `${c.window.localStart} -> ${c.window.localEnd} (${c.window.timezone})`;
}
function indent(text: string): string {
  return text.replace(/^/gm, '    ');
}
function mailKey(m: StoredMail): string {
  return m.messageId ?? `${m.subject}|${String(m.receivedAt)}`;
}
