import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobRouter, requestNotification, type AppConfig } from '@kefu/shared';
import {
  createTestDatabase,
  expectEventually,
  factories,
  startDovecot,
  startTestApp,
  testConfig,
  type TestDatabase,
  type TestDovecot,
} from '@kefu/shared/testing';
import { intakeApp } from '../../../intake/src/intake.app';
import { MailboxRunner } from '../../../intake/src/mailbox/mailbox-runner.service';
import { notifierApp } from '../notifier.app';

const fixture = (name: string) => readFileSync(join(__dirname, '../../test-fixtures/dsn', name), 'latin1');
const verp = (id: string) => `kefu-bounces+${id}@kefu.example.com`;

describe('bounces', () => {
  let db: TestDatabase;
  let dovecot: TestDovecot;
  let app: INestApplication;
  let intake: INestApplication | undefined;
  let config: AppConfig;

  /** An email notification the email sender has sent: status sent, provider_id its Message-ID. */
  async function sentEmail(providerId: string | null, status = 'sent'): Promise<string> {
    const owner = await factories.createOwner(db.dataSource);
    const { id } = await db.dataSource.transaction((m) =>
      requestNotification(m, {
        idempotencyKey: `mail:${owner.id}`,
        kind: 'case_reply',
        recipient: { ownerId: owner.id },
        channel: 'email',
        variables: { caseNumber: 'KF-2026-00001', replyText: '已安排维修。' },
      }),
    );
    await db.dataSource.query(`UPDATE notifications SET status = $2, provider_id = $3, sent_at = now() WHERE id = $1`, [
      id,
      status,
      providerId,
    ]);
    return id;
  }
  const state = async (id: string) =>
    (
      await db.dataSource.query(`SELECT status, error_code, error_message FROM notifications WHERE id = $1`, [id])
    )[0] as { status: string; error_code: string | null; error_message: string | null };
  const receipts = (id: string) =>
    db.dataSource.query(
      `SELECT status, source, detail, raw FROM notification_receipts WHERE notification_id = $1 ORDER BY id`,
      [id],
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    dovecot = await startDovecot();
  });
  afterAll(async () => {
    await intake?.close();
    await app?.close();
    await dovecot.stop();
    await db.drop();
  });

  it('bounce mailbox, read by intake: Postfix, Exchange, Exim and Gmail reports mark their notifications bounced; delayed is a receipt; auto-replies kept aside', async () => {
    const byVerpPostfix = await sentEmail('kefu-1@kefu.example.com');
    const byVerpExchange = await sentEmail('kefu-2@kefu.example.com');
    const byIdExim = await sentEmail('E1P1ce6-000Egt-GZ@e1.example.org');
    const byIdGmail = await sentEmail('D992C2C3-F175-4C4D-97E2-53A90E4E5BF5@gmail.com');
    const delayed = await sentEmail('kefu-3@kefu.example.com');
    const postfix = fixture('lhost-postfix-01.eml').replace(
      'To: shironeko@mx.example.jp',
      `To: ${verp(byVerpPostfix)}`,
    );
    const exchange = fixture('lhost-exchange2007-01.eml').replace(
      'X-Original-To: kijitora@example.jp',
      `X-Original-To: ${verp(byVerpExchange)}`,
    );
    const delay = fixture('lhost-postfix-01.eml')
      .replace('To: shironeko@mx.example.jp', `To: ${verp(delayed)}`)
      .replace('Message-Id: <20130429234532.00000000000@', 'Message-Id: <delayed.20130429234532@')
      .replace('Action: failed', 'Action: delayed')
      .replace('Status: 5.1.1', 'Status: 4.4.7');
    // The customer-service mailbox and the bounce mailbox: two folders of one account here.
    const mails = [
      postfix,
      exchange,
      fixture('lhost-exim-01.eml'),
      fixture('lhost-gmail-01.eml'),
      delay,
      fixture('rfc3834-01.eml'),
      fixture('rfc3464-01.eml'),
    ];
    await dovecot.appendMessages(
      'Bounces',
      mails.map((s) => Buffer.from(s, 'latin1')),
    );
    config = testConfig({
      DATABASE_URL: db.url,
      MAILBOX_URL: dovecot.url,
      MAILBOX_RESYNC_SECONDS: '3600',
      BOUNCE_MAILBOX_URL: dovecot.url,
      BOUNCE_MAILBOX_FOLDER: 'Bounces',
      BOUNCE_MAILBOX_PROCESSED_FOLDER: 'BouncesDone',
      BOUNCE_MAILBOX_POLL_SECONDS: '3600',
    });
    app = await startTestApp(notifierApp, config);
    intake = await startTestApp(intakeApp, config);
    await intake.get(MailboxRunner).request('test', 'bounces');
    expect(await dovecot.count('Bounces')).toBe(0);
    expect(await dovecot.count('BouncesDone')).toBe(7);
    // The notifier's worker takes the jobs the outbox relay moved onto its queue.
    await expectEventually(async () => expect(await receipts(delayed)).toHaveLength(1));
    await expectEventually(async () => expect((await state(byIdGmail)).status).toBe('bounced'));

    expect(await state(byVerpPostfix)).toEqual({
      status: 'bounced',
      error_code: 'dsn_5.1.1',
      error_message: expect.stringContaining('No such user'),
    });
    expect(await state(byVerpExchange)).toEqual({
      status: 'bounced',
      error_code: 'dsn_5.1.1',
      error_message: expect.stringContaining('RESOLVER.ADR.RecipNotFound'),
    });
    expect(await state(byIdExim)).toMatchObject({ status: 'bounced', error_code: 'dsn_5.7.0' });
    expect(await state(byIdGmail)).toMatchObject({
      status: 'bounced',
      error_message: expect.stringContaining('User Unknown'),
    });
    expect(await receipts(byVerpPostfix)).toEqual([
      {
        status: 'bounced',
        source: 'dsn',
        detail: expect.stringContaining('5.1.1'),
        raw: expect.objectContaining({ action: 'failed', matchedBy: 'return_path', format: 'rfc3464' }),
      },
    ]);
    expect((await receipts(byIdGmail))[0].raw).toMatchObject({
      matchedBy: 'message_id',
      format: 'x-failed-recipients',
    });
    expect(await state(delayed)).toMatchObject({ status: 'sent' });
    expect(await receipts(delayed)).toEqual([expect.objectContaining({ status: 'delayed', source: 'dsn' })]);
    // A reply to the customer must arrive: the bounced email goes on as a letter; a delayed one does not.
    const fallbacks = (id: string) =>
      db.dataSource.query(`SELECT channel, idempotency_key FROM notifications WHERE fallback_of_id = $1`, [id]);
    expect(await fallbacks(byVerpPostfix)).toEqual([
      { channel: 'letter', idempotency_key: expect.stringMatching(/\/fallback:letter$/) },
    ]);
    expect(await fallbacks(delayed)).toEqual([]);

    const records = await db.dataSource.query(
      `SELECT outcome, count(*)::int AS n, bool_and(raw_bytes IS NOT NULL AND processed_at IS NOT NULL) AS kept,
              count(delivery_report)::int AS parsed
         FROM intake_records WHERE source = 'imap-bounce:bounces' GROUP BY outcome ORDER BY outcome`,
    );
    expect(records).toEqual([
      { outcome: 'auto_reply', n: 1, kept: true, parsed: 0 },
      { outcome: 'bounce', n: 6, kept: true, parsed: 6 },
    ]);

    // The same report again (a second delivery): a duplicate record at most, nothing changes.
    await dovecot.appendMessage('Bounces', Buffer.from(postfix, 'latin1'));
    await intake.get(MailboxRunner).request('test', 'bounces');
    expect(await dovecot.count('Bounces')).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(await receipts(byVerpPostfix)).toHaveLength(1);
    expect(await fallbacks(byVerpPostfix)).toHaveLength(1);
  });

  it('records a bounce only the old intake rules recognised (bounces@ sender, 系统退信) instead of dropping it', async () => {
    // Intake once stored such a mail as a bounce and the notifier, parsing it again with rules of its own,
    // dropped it as not_a_report. Now the one parser's result travels with the record.
    const n = await sentEmail('kefu-cn-1@kefu.example.com');
    const mail = [
      'Return-Path: <>',
      'From: "系统退信" <bounces@mail.example.cn>',
      'To: kefu@kefu.example.com',
      'Subject: =?UTF-8?B?' + Buffer.from('系统退信').toString('base64') + '?=',
      'Date: Mon, 23 Nov 2026 10:00:00 +0800',
      'Message-ID: <bounce-cn-1@mail.example.cn>',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      '您发送的邮件无法投递到以下地址：',
      '',
      'zhang.san@example.cn',
      '550 5.1.1 Mailbox not found',
      '',
      '------ 原始邮件 ------ This is a copy of the message',
      'Message-ID: <kefu-cn-1@kefu.example.com>',
      'From: kefu@kefu.example.com',
      'To: zhang.san@example.cn',
      '',
    ].join('\r\n');
    await dovecot.appendMessage('INBOX', Buffer.from(mail, 'utf8'));
    await intake!.get(MailboxRunner).request('test', 'cs');
    const [record] = await db.dataSource.query(
      `SELECT outcome, delivery_report FROM intake_records WHERE message_id = 'bounce-cn-1@mail.example.cn'`,
    );
    expect(record).toMatchObject({
      outcome: 'bounce',
      delivery_report: { kind: 'bounce', finalRecipient: 'zhang.san@example.cn', status: '5.1.1' },
    });
    await expectEventually(async () =>
      expect(await state(n)).toMatchObject({ status: 'bounced', error_code: 'dsn_5.1.1' }),
    );
  });

  it('takes a feedback report (ARF) as "marked as spam": a receipt, and no more email to that owner', async () => {
    const n = await sentEmail('arf-original-1@kefu.example.com');
    const arf = [
      'From: <abuse@isp.example.net>',
      'To: <kefu-bounces@kefu.example.com>',
      'Subject: Abuse report',
      'Date: Mon, 23 Nov 2026 10:00:00 +0800',
      'Message-ID: <arf-1@isp.example.net>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=feedback-report; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain',
      '',
      'This is an email abuse report for an email message received from IP 192.0.2.1.',
      '--b1',
      'Content-Type: message/feedback-report',
      '',
      'Feedback-Type: abuse',
      'User-Agent: SomeGenerator/1.0',
      'Version: 1',
      'Original-Rcpt-To: <li.si@isp.example.net>',
      '',
      '--b1',
      'Content-Type: message/rfc822',
      '',
      'From: kefu@kefu.example.com',
      'To: li.si@isp.example.net',
      'Subject: notice',
      'Message-ID: <arf-original-1@kefu.example.com>',
      '',
      'body',
      '--b1--',
      '',
    ].join('\r\n');
    await dovecot.appendMessage('Bounces', Buffer.from(arf));
    await intake!.get(MailboxRunner).request('test', 'bounces');
    await expectEventually(async () =>
      expect(await receipts(n)).toEqual([expect.objectContaining({ status: 'complained', source: 'arf' })]),
    );
    expect(await state(n)).toMatchObject({ status: 'sent' });
    const [owner] = await db.dataSource.query(
      `SELECT o.opt_outs FROM notifications n JOIN owners o ON o.id = n.owner_id WHERE n.id = $1`,
      [n],
    );
    expect(owner.opt_outs).toEqual(['email']);
  });

  it('handles delivery-report-received from intake: matched by Message-ID, forward only, once, unmatched completes', async () => {
    const rfc = Buffer.from(fixture('rfc3464-01.eml'), 'latin1');
    const store = async (raw: Buffer) =>
      (
        await db.dataSource.query(
          `INSERT INTO intake_records (channel, source, external_id, raw_bytes, received_at, outcome) VALUES ('email', 'imap:cs', $1, $2, now(), 'bounce') RETURNING id`,
          [`1:${Math.random()}`, raw],
        )
      )[0].id as string;
    const job = (intakeRecordId: string) =>
      app.get(JobRouter).dispatch({ name: 'delivery-report-received', data: { intakeRecordId } } as unknown as Job);

    const unmatchedRecord = await store(rfc);
    expect(await job(unmatchedRecord)).toEqual({ outcome: 'unmatched' });

    const n = await sentEmail('E1C50F1B-1C83-4820-BC36-AC6FBFBE8568@example.org');
    const record = await store(rfc);
    expect(await job(record)).toMatchObject({
      outcome: 'bounced',
      notificationId: n,
      matchedBy: 'message_id',
      duplicate: false,
    });
    expect(await job(record)).toMatchObject({ outcome: 'bounced', duplicate: true });
    expect(await state(n)).toMatchObject({ status: 'bounced', error_message: expect.stringContaining('User Unknown') });
    expect(await receipts(n)).toHaveLength(1);

    // The ENVID we may set on the envelope (RFC 3461) carries the notification id.
    const byEnvid = await sentEmail('other@kefu.example.com');
    const envid = Buffer.from(
      fixture('lhost-postfix-01.eml')
        .replace('Reporting-MTA: dns;', `Original-Envelope-Id: ${byEnvid}\nReporting-MTA: dns;`)
        .replace('Message-Id: <20130429234532.00000000000@', 'Message-Id: <envid.1@'),
      'latin1',
    );
    expect(await job(await store(envid))).toMatchObject({
      outcome: 'bounced',
      notificationId: byEnvid,
      matchedBy: 'envelope_id',
    });
  });

  it('never moves a notification back: a report about mail already delivered is a receipt only', async () => {
    const n = await sentEmail(null, 'delivered');
    const raw = Buffer.from(
      fixture('lhost-postfix-01.eml')
        .replace('To: shironeko@mx.example.jp', `To: ${verp(n)}`)
        .replace('Message-Id: <20130429234532.00000000000@', 'Message-Id: <late.1@'),
      'latin1',
    );
    const [{ id }] = await db.dataSource.query(
      `INSERT INTO intake_records (channel, source, external_id, raw_bytes, received_at, outcome) VALUES ('email', 'imap:cs', 'late-1', $1, now(), 'bounce') RETURNING id`,
      [raw],
    );
    await app
      .get(JobRouter)
      .dispatch({ name: 'delivery-report-received', data: { intakeRecordId: id } } as unknown as Job);
    expect(await state(n)).toMatchObject({ status: 'delivered' });
    expect(await receipts(n)).toEqual([expect.objectContaining({ status: 'bounced' })]);
  });
});
