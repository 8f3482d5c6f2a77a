import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { buildMimeMessage } from './functions/adapters/mime.ts';
import { startLocalMailStore } from './local/mail-store.ts';
const store = await startLocalMailStore({});
const ses = new SESClient({ endpoint: store.sesEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
const raw = buildMimeMessage({ from: 'Change Desk <ops@example.com>', to: ['a@example.com', 'Doe, Jane <b@example.com>'], cc: ['Zoë Ärger <c@example.com>'], subject: 'Wartung: Änderung 🚀 am Samstag – please read this long subject line carefully', text: 'Hello\nline two with = sign and trailing space \n.dot', html: '<p>Hello</p>', date: new Date('2026-11-21T09:30:00Z'), headers: { 'X-Change-Id': 'chg-1' }, attachments: [{ filename: 'invite.ics', contentType: 'text/calendar; method=PUBLISH; charset=utf-8', content: 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n' }] });
console.log(raw);
const r = await ses.send(new SendRawEmailCommand({ RawMessage: { Data: Buffer.from(raw) } }));
console.log(r.MessageId);
console.log(await (await fetch(store.storeUrl)).text());
store.faults.failNext(1);
try { await ses.send(new SendRawEmailCommand({ RawMessage: { Data: Buffer.from(raw) } })); } catch (e: any) { console.log('ERR', e.name, e.message, e.$fault, e.$metadata, Object.keys(e)); }
console.log(JSON.stringify(await store.mails(), null, 1));
const t0 = Date.now(); await store.stop(); console.log('stopped in', Date.now() - t0);
