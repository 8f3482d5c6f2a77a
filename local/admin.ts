/**
 * Local-only controls, served beside the API under /local/ (never deployed; bound to localhost):
 *
 *   GET  /local/clock                      { now, speed }
 *   POST /local/clock  { "advance": "PT24H" } | { "set": "2026-12-01T00:00:00Z" } | { "speed": 3600 }
 *   GET  /local/executions                 every lifecycle execution and its status
 *   POST /local/faults/ses { "failNext": 2 } | { "failAlways": true } | { "heal": true }
 *   GET  /local/mails                      the captured e-mails as JSON (the inbox is at the mail URL)
 *   GET  /local/events[?changeId=]         the lifecycle events published (EventBridge in AWS)
 *   GET  /local/jobs                       the next run of each nightly job; catchingUp while runs a jump passed over are running
 *   POST /local/jobs/<job> { "time"?, "restart"?, "providerInstalls"? }   run a nightly job now
 *   POST /local/backups/fail { "customerId", "application" }   that application's next nightly backup fails
 *
 * With kept data the clock only moves forward: a move back answers 400 and changes nothing.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { Duration } from 'luxon';
import type { LocalClock } from './clock.ts';
import type { LocalMailStore } from './mail-store.ts';
import type { LocalWorkflow } from './workflow/index.ts';

export interface AdminParts {
  clock: LocalClock;
  workflow: LocalWorkflow;
  mail: LocalMailStore;
  /** The lifecycle events published so far (EventBridge in AWS). */
  events: () => unknown[];
  /** Called after the clock was moved or its speed changed (the runtime saves it with kept data). */
  onClockMoved?: () => Promise<void>;
  /** Extra local routes (e.g. running a nightly job on demand). */
  extra?: (method: string, path: string, body: Record<string, unknown>) => Promise<unknown | undefined>;
}

function reply(statusCode: number, body: unknown): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(body, null, 2),
  };
}

function parse(body: string): Record<string, unknown> {
  if (!body.trim()) return {};
  const value = JSON.parse(body) as unknown;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('the body must be a JSON object');
  return value as Record<string, unknown>;
}

export function adminRoutes(parts: AdminParts) {
  return async (method: string, url: URL, rawBody: string): Promise<APIGatewayProxyResult | null> => {
    let body: Record<string, unknown>;
    try {
      body = parse(rawBody);
    } catch (error) {
      return reply(400, { error: 'VALIDATION_FAILED', message: (error as Error).message });
    }
    const path = url.pathname;
    try {
      if (path === '/local/clock' && method === 'GET') return reply(200, parts.clock.describe());
      if (path === '/local/clock' && method === 'POST') {
        if (typeof body.set === 'string') parts.clock.set(body.set);
        if (typeof body.advance === 'string') {
          if (!Duration.fromISO(body.advance).isValid)
            throw new Error('advance must be an ISO duration like PT24H');
          parts.clock.advance(body.advance);
        }
        if (typeof body.speed === 'number') parts.clock.setSpeed(body.speed);
        await parts.onClockMoved?.();
        return reply(200, parts.clock.describe());
      }
      if (path === '/local/executions' && method === 'GET') {
        return reply(200, {
          items: parts.workflow.list().map((name) => ({ name, ...parts.workflow.describe(name) })),
        });
      }
      if (path === '/local/faults/ses' && method === 'POST') {
        if (body.heal === true) parts.mail.faults.heal();
        if (body.failAlways === true) parts.mail.faults.failAlways();
        if (typeof body.failNext === 'number') parts.mail.faults.failNext(body.failNext);
        return reply(200, { injectedFailuresSoFar: parts.mail.faults.failures });
      }
      if (path === '/local/mails' && method === 'GET') return reply(200, { items: await parts.mail.mails() });
      if (path === '/local/events' && method === 'GET') {
        const changeId = url.searchParams.get('changeId');
        const items = parts
          .events()
          .filter((e) => !changeId || (e as { changeId?: string }).changeId === changeId);
        return reply(200, { items });
      }
      const extra = await parts.extra?.(method, path, body);
      if (extra !== undefined) return reply(200, extra);
    } catch (error) {
      return reply(400, { error: 'VALIDATION_FAILED', message: (error as Error).message });
    }
    return reply(404, { error: 'NOT_FOUND', message: `no local route ${method} ${path}` });
  };
}
