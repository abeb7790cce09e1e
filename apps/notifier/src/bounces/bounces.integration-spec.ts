import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobRouter, requestNotification } from '@kefu/shared';
import { createTestDatabase, expectEventually, factories, startDovecot, startTestApp, testConfig, type TestDatabase, type TestDovecot } from '@kefu/shared/testing';
import { notifierApp } from '../notifier.app';
import { BOUNCE_POLL_TASK } from './bounces.module';

const fixture = (name: string) => readFileSync(join(__dirname, '../../test-fixtures/dsn', name), 'latin1');
const verp = (id: string) => `kefu-bounces+${id}@kefu.example.com`;

describe('bounces', () => {
  let db: TestDatabase;
  let dovecot: TestDovecot;
  let app: INestApplication;

  /** An email notification the email sender has sent: status sent, provider_id its Message-ID. */
  async function sentEmail(providerId: string | null, status = 'sent'): Promise<string> {
    const owner = await factories.createOwner(db.dataSource);
    const { id } = await db.dataSource.transaction((m) =>
      requestNotification(m, { idempotencyKey: `mail:${owner.id}`, kind: 'case_reply', recipient: { ownerId: owner.id }, channel: 'email', variables: { caseNumber: 'KF-2026-00001', replyText: '已安排维修。' } }),
    );
    await db.dataSource.query(`UPDATE notifications SET status = $2, provider_id = $3, sent_at = now() WHERE id = $1`, [id, status, providerId]);
    return id;
  }
  const state = async (id: string) =>
    (await db.dataSource.query(`SELECT status, error_code, error_message FROM notifications WHERE id = $1`, [id]))[0] as { status: string; error_code: string | null; error_message: string | null };
  const receipts = (id: string) => db.dataSource.query(`SELECT status, source, detail, raw FROM notification_receipts WHERE notification_id = $1 ORDER BY id`, [id]);

  beforeAll(async () => {
    db = await createTestDatabase();
    dovecot = await startDovecot();
  });
  afterAll(async () => {
    await app?.close();
    await dovecot.stop();
    await db.drop();
  });

  it('reads the bounce mailbox: Postfix, Exchange, Exim and Gmail reports mark their notifications bounced; delayed is a receipt; auto-replies kept aside', async () => {
    const byVerpPostfix = await sentEmail('kefu-1@kefu.example.com');
    const byVerpExchange = await sentEmail('kefu-2@kefu.example.com');
    const byIdExim = await sentEmail('E1P1ce6-000Egt-GZ@e1.example.org');
    const byIdGmail = await sentEmail('D992C2C3-F175-4C4D-97E2-53A90E4E5BF5@gmail.com');
    const delayed = await sentEmail('kefu-3@kefu.example.com');
    const postfix = fixture('lhost-postfix-01.eml').replace('To: shironeko@mx.example.jp', `To: ${verp(byVerpPostfix)}`);
    const exchange = fixture('lhost-exchange2007-01.eml').replace('X-Original-To: kijitora@example.jp', `X-Original-To: ${verp(byVerpExchange)}`);
    const delay = fixture('lhost-postfix-01.eml')
      .replace('To: shironeko@mx.example.jp', `To: ${verp(delayed)}`)
      .replace('Message-Id: <20130429234532.00000000000@', 'Message-Id: <delayed.20130429234532@')
      .replace('Action: failed', 'Action: delayed').replace('Status: 5.1.1', 'Status: 4.4.7');
    // Stored before the app starts, so the first poll sees them all.
    await dovecot.appendMessages('INBOX', [postfix, exchange, fixture('lhost-exim-01.eml'), fixture('lhost-gmail-01.eml'), delay, fixture('rfc3834-01.eml'), fixture('rfc3464-01.eml')].map((s) => Buffer.from(s, 'latin1')));
    app = await startTestApp(notifierApp, testConfig({ DATABASE_URL: db.url, BOUNCE_MAILBOX_URL: dovecot.url, BOUNCE_MAILBOX_POLL_SECONDS: '3600' }));
    const router = app.get(JobRouter);
    expect(router.taskNames()).toContain(BOUNCE_POLL_TASK);
    await expectEventually(async () => {
      await router.runTask(BOUNCE_POLL_TASK);
      expect(await dovecot.count('INBOX')).toBe(0);
    });
    expect(await dovecot.count('Processed')).toBe(7);

    expect(await state(byVerpPostfix)).toEqual({ status: 'bounced', error_code: 'dsn_5.1.1', error_message: expect.stringContaining('No such user') });
    expect(await state(byVerpExchange)).toEqual({ status: 'bounced', error_code: 'dsn_5.1.1', error_message: expect.stringContaining('RESOLVER.ADR.RecipNotFound') });
    expect(await state(byIdExim)).toMatchObject({ status: 'bounced', error_code: 'dsn_5.7.0' });
    expect(await state(byIdGmail)).toMatchObject({ status: 'bounced', error_message: expect.stringContaining('User Unknown') });
    expect(await receipts(byVerpPostfix)).toEqual([{ status: 'bounced', source: 'dsn', detail: expect.stringContaining('5.1.1'), raw: expect.objectContaining({ action: 'failed', matchedBy: 'return_path', format: 'rfc3464' }) }]);
    expect((await receipts(byIdGmail))[0].raw).toMatchObject({ matchedBy: 'message_id', format: 'x-failed-recipients' });
    expect(await state(delayed)).toMatchObject({ status: 'sent' });
    expect(await receipts(delayed)).toEqual([expect.objectContaining({ status: 'delayed', source: 'dsn' })]);
    // A reply to the customer must arrive: the bounced email goes on as a letter; a delayed one does not.
    const fallbacks = (id: string) => db.dataSource.query(`SELECT channel, idempotency_key FROM notifications WHERE fallback_of_id = $1`, [id]);
    expect(await fallbacks(byVerpPostfix)).toEqual([{ channel: 'letter', idempotency_key: expect.stringMatching(/\/fallback:letter$/) }]);
    expect(await fallbacks(delayed)).toEqual([]);

    const records = await db.dataSource.query(`SELECT outcome, count(*)::int AS n, bool_and(raw_bytes IS NOT NULL AND processed_at IS NOT NULL) AS kept FROM intake_records WHERE source = 'imap-bounce:bounces' GROUP BY outcome ORDER BY outcome`);
    expect(records).toEqual([{ outcome: 'auto_reply', n: 1, kept: true }, { outcome: 'bounce', n: 6, kept: true }]);

    // The same report again (a second delivery): stored under its new UID at most, nothing changes.
    await dovecot.appendMessage('INBOX', Buffer.from(postfix, 'latin1'));
    await router.runTask(BOUNCE_POLL_TASK);
    expect(await dovecot.count('INBOX')).toBe(0);
    expect(await receipts(byVerpPostfix)).toHaveLength(1);
    expect(await fallbacks(byVerpPostfix)).toHaveLength(1);
  });

  it('handles delivery-report-received from intake: matched by Message-ID, forward only, once, unmatched completes', async () => {
    const rfc = Buffer.from(fixture('rfc3464-01.eml'), 'latin1');
    const store = async (raw: Buffer) =>
      (await db.dataSource.query(
        `INSERT INTO intake_records (channel, source, external_id, raw_bytes, received_at, outcome) VALUES ('email', 'imap:cs', $1, $2, now(), 'bounce') RETURNING id`,
        [`1:${Math.random()}`, raw],
      ))[0].id as string;
    const job = (intakeRecordId: string) => app.get(JobRouter).dispatch({ name: 'delivery-report-received', data: { intakeRecordId } } as unknown as Job);

    const unmatchedRecord = await store(rfc);
    expect(await job(unmatchedRecord)).toEqual({ outcome: 'unmatched' });

    const n = await sentEmail('E1C50F1B-1C83-4820-BC36-AC6FBFBE8568@example.org');
    const record = await store(rfc);
    expect(await job(record)).toMatchObject({ outcome: 'bounced', notificationId: n, matchedBy: 'message_id', duplicate: false });
    expect(await job(record)).toMatchObject({ outcome: 'bounced', duplicate: true });
    expect(await state(n)).toMatchObject({ status: 'bounced', error_message: expect.stringContaining('User Unknown') });
    expect(await receipts(n)).toHaveLength(1);

    // The ENVID we may set on the envelope (RFC 3461) carries the notification id.
    const byEnvid = await sentEmail('other@kefu.example.com');
    const envid = Buffer.from(fixture('lhost-postfix-01.eml').replace('Reporting-MTA: dns;', `Original-Envelope-Id: ${byEnvid}\nReporting-MTA: dns;`).replace('Message-Id: <20130429234532.00000000000@', 'Message-Id: <envid.1@'), 'latin1');
    expect(await job(await store(envid))).toMatchObject({ outcome: 'bounced', notificationId: byEnvid, matchedBy: 'envelope_id' });
  });

  it('never moves a notification back: a report about mail already delivered is a receipt only', async () => {
    const n = await sentEmail(null, 'delivered');
    const raw = Buffer.from(fixture('lhost-postfix-01.eml').replace('To: shironeko@mx.example.jp', `To: ${verp(n)}`).replace('Message-Id: <20130429234532.00000000000@', 'Message-Id: <late.1@'), 'latin1');
    const [{ id }] = await db.dataSource.query(`INSERT INTO intake_records (channel, source, external_id, raw_bytes, received_at, outcome) VALUES ('email', 'imap:cs', 'late-1', $1, now(), 'bounce') RETURNING id`, [raw]);
    await app.get(JobRouter).dispatch({ name: 'delivery-report-received', data: { intakeRecordId: id } } as unknown as Job);
    expect(await state(n)).toMatchObject({ status: 'delivered' });
    expect(await receipts(n)).toEqual([expect.objectContaining({ status: 'bounced' })]);
  });
});
