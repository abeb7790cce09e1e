import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import nodemailer from 'nodemailer';
import { SentMessageEntity, startLocalMail, type LocalMail } from '@kefu/shared';
import {
  createTestDatabase,
  expectEventually,
  startTestApp,
  testConfig,
  type TestDatabase,
} from '@kefu/shared/testing';
import { intakeApp } from '../intake.app';

interface Row {
  outcome: string;
  case_id: string | null;
  delivery_report: { finalRecipient: string; status: string; addressedTo: string[] } | null;
}

/** npm start's email loop on one machine: intake reads the local mail system's mailboxes (IDLE, no manual poll). */
describe('intake on the local mail system (real Dovecot, SMTP, Postgres, Redis)', () => {
  let dir: string;
  let mail: LocalMail;
  let db: TestDatabase;
  let app: INestApplication;
  const record = async (messageId: string) =>
    (
      await db.dataSource.query<Row[]>(
        `SELECT outcome, case_id, delivery_report FROM intake_records WHERE message_id = $1 OR raw->>'messageId' = $1 ORDER BY created_at`,
        [messageId],
      )
    )[0];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kefu-local-mail-'));
    mail = await startLocalMail({
      dir,
      imapPort: 0,
      smtpPort: 0,
      domain: 'kefu.local',
      isKnownAddress: (a) => Promise.resolve(a !== 'nobody.here@163.com'),
    });
    db = await createTestDatabase();
    // As npm start wires it; the resyncs are far off, so only IDLE can have taken the mail.
    const config = testConfig({
      DATABASE_URL: db.url,
      MAILBOX_URL: mail.csMailboxUrl,
      BOUNCE_MAILBOX_URL: mail.bounceMailboxUrl,
      MAILBOX_RESYNC_SECONDS: '3600',
      BOUNCE_MAILBOX_POLL_SECONDS: '3600',
    });
    app = await startTestApp(intakeApp, config);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
    await mail?.stop({ removeData: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it("makes a case of a mail to the customer-service address, and threads the owner's reply into it", async () => {
    const { messageId } = await mail.sendTestMail({
      from: '王喆 <wangzhe.owner@163.com>',
      subject: '3栋2单元1502 厨房漏水',
      text: '厨房天花板漏水，请尽快处理。',
    });
    const created = await expectEventually(
      async () => {
        const row = await record(messageId);
        expect(row?.outcome).toBe('case_created');
        return row!;
      },
      { timeoutMs: 10_000 },
    );

    // The acknowledgement the notifier sent for that case (its Message-ID is what the owner's client answers).
    await db.dataSource
      .getRepository(SentMessageEntity)
      .insert({ messageId: 'kefu.ack-1@kefu.local', caseId: created.case_id! });
    const reply = await mail.sendTestMail({
      from: 'wangzhe.owner@163.com',
      subject: 'Re: 您的报修已受理',
      text: '好的，周三上午有人在家。',
      inReplyTo: '<kefu.ack-1@kefu.local>',
    });
    await expectEventually(async () =>
      expect(await record(reply.messageId)).toMatchObject({ outcome: 'added_to_case', case_id: created.case_id }),
    );
  });

  it('hands a DSN from the bounce mailbox on as a delivery report naming the VERP return path', async () => {
    const notificationId = randomUUID();
    const t = nodemailer.createTransport({ url: mail.smtpUrl });
    await t
      .sendMail({
        from: mail.csAddress,
        to: 'nobody.here@163.com',
        subject: '提醒',
        text: '请处理。',
        messageId: `<kefu.${notificationId}.1@kefu.local>`,
        envelope: { from: `bounces+${notificationId}@kefu.local`, to: ['nobody.here@163.com'] },
      })
      .finally(() => t.close());
    const dsn = mail.list({ limit: 1 })[0]!;
    expect(dsn.isDsn).toBe(true);
    await expectEventually(async () =>
      expect(await record(dsn.messageId!)).toMatchObject({
        outcome: 'bounce',
        delivery_report: {
          finalRecipient: 'nobody.here@163.com',
          status: '5.1.1',
          addressedTo: expect.arrayContaining([`bounces+${notificationId}@kefu.local`]),
        },
      }),
    );
  });
});
