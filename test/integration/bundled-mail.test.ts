/**
 * The Lambda bundles leave nodemailer's file-extension table out (infra/bundling.ts puts
 * functions/adapters/mime-types.ts in its place). Here the mail adapter is bundled exactly as a Lambda
 * is, and the bundled code sends a notice to the local SES: what arrives is byte for byte what the
 * unbundled code builds, so the table was never needed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMimeMessage } from '#adapters/mime.ts';
import type { OutgoingMail } from '#app/ports.ts';
import { bundleLambda } from '#infra/bundling.ts';
import { type LocalMailStore, startLocalMailStore } from '#local/mail-store.ts';

type Bundled = typeof import('./fixtures/bundled-mailer.ts');

const ICS = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//change-maintenance-manager//EN',
  'METHOD:REQUEST',
  'BEGIN:VEVENT',
  'UID:chg-0042@changes.example.com',
  'SUMMARY:Wartung – Zürich',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

const notice: OutgoingMail = {
  from: 'Change Desk <changes@example.com>',
  to: ['Doe, Jane <jane@partner.example>'],
  cc: ['ops@example.com'],
  subject: 'Wartung CHG-0042 am 28. November – verschoben',
  text: 'Hello,\nthe maintenance moved.',
  html: '<p>Hello,</p><p>the maintenance <b>moved</b>.</p>',
  attachments: [
    { filename: 'invite.ics', contentType: 'text/calendar; method=REQUEST; charset=utf-8', content: ICS },
    { filename: 'notes', contentType: 'text/plain; charset=utf-8', content: 'no extension, explicit type' },
  ],
  date: new Date('2026-11-21T09:30:00Z'),
  headers: { 'X-Change-Id': 'chg-0042' },
};

let dir: string;
let bundleText: string;
let bundled: Bundled;
let store: LocalMailStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bundled-mailer-'));
  const { file } = await bundleLambda('test/integration/fixtures/bundled-mailer.ts', dir);
  bundleText = readFileSync(file, 'utf8');
  bundled = (await import(pathToFileURL(file).href)) as Bundled;
  store = await startLocalMailStore({ port: 0 });
});

afterAll(async () => {
  await store?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the bundled mail adapter', () => {
  it('carries the stand-in instead of nodemailer’s 76 KB extension table', () => {
    // Assess: the table's last entries are gone, the stand-in's refusal is there.
    expect(bundleText).not.toContain('application/vnd.zzazz.deck+xml');
    expect(bundleText).toContain('leave out nodemailer');
  });

  it('sends a notice with its attachments that arrives byte for byte as the unbundled code builds it', async () => {
    // Act
    const { messageId } = await bundled.mailerAt(store.sesEndpoint).send(notice);

    // Assess
    const [received] = await store.mails();
    expect(received?.messageId).toBe(messageId);
    expect(received?.raw).toBe((await buildMimeMessage(notice)).toString('utf8'));
    expect(received?.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ['invite.ics', 'text/calendar'],
      ['notes', 'text/plain'],
    ]);
  });

  it('refuses, as the unbundled code does, an attachment without a content type instead of guessing one', async () => {
    // Prepare
    const untyped = { ...notice, attachments: [{ filename: 'x.pdf', contentType: '', content: '%PDF' }] };

    // Act and assess
    await expect(bundled.buildMimeMessage(untyped)).rejects.toThrow(/invalid content type/);
    await expect(buildMimeMessage(untyped)).rejects.toThrow(/invalid content type/);
  });
});
