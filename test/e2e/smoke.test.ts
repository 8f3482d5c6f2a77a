import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type System, startSystem } from './support/system.ts';

let system: System;
beforeAll(async () => {
  system = await startSystem();
});
afterAll(async () => system?.stop());

describe('a planned change nobody answers', () => {
  it('is noticed, confirmed at reply-by, reminded, started at the window and completed', async () => {
    const created = await system.call('POST', '/changes', {
      body: {
        customerId: 'globex',
        partnerId: 'acme-voice',
        type: 'configuration',
        title: 'Dial plan',
        disruptsCalling: true,
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.changeId as string;

    await system.set(created.body.replyBy as string);
    expect((await system.change(id)).status).toBe('CONFIRMED');

    const window = created.body.window as { start: string };
    await system.set(new Date(Date.parse(window.start) - 24 * 3600_000).toISOString());
    await system.set(window.start);
    expect((await system.change(id)).status).toBe('IN_PROGRESS');

    const done = await system.call('POST', `/changes/${id}/complete`, { body: { outcome: 'succeeded' } });
    expect(done.status).toBe(200);
    const subjects = (await system.mails({ changeId: id })).map((m) => m.subject);
    expect(subjects).toEqual([
      `[${id}] Scheduled maintenance: Dial plan`,
      `[${id}] Reminder: maintenance Dial plan`,
      `[${id}] Maintenance started: Dial plan`,
      `[${id}] Maintenance completed: Dial plan`,
    ]);
  });
});
