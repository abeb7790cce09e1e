import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import {
  createTestDatabase,
  expectEventually,
  harnessState,
  startDovecot,
  startTestApp,
  testConfig,
  TEST_TOKEN_SECRET,
  type TestDatabase,
  type TestDovecot,
} from '@kefu/shared/testing';
import { intakeApp } from '../intake.app';
import { MailboxRunner } from './mailbox-runner.service';

const N = 400;
const ROOT = join(__dirname, '../../../..');

function mail(i: number): Buffer {
  const id = `crash-${i}@example.com`;
  if (i % 20 === 0)
    return Buffer.from(
      `From: away${i}@example.com\r\nDate: Mon, 23 Nov 2026 10:00:00 +0800\r\nMessage-ID: <${id}>\r\nAuto-Submitted: auto-replied\r\nSubject: 自动回复\r\n\r\n休假中\r\n`,
    );
  const photo =
    i % 7 === 0
      ? `--b\r\nContent-Type: image/png; name="p${i}.png"\r\nContent-Disposition: attachment; filename="p${i}.png"\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.alloc(2048, i).toString('base64')}\r\n`
      : '';
  return Buffer.from(
    `From: =?UTF-8?B?${Buffer.from(`业主${i}`).toString('base64')}?= <owner${i}@example.com>\r\nTo: cs@kefu.example\r\nDate: Mon, 23 Nov 2026 10:00:00 +0800\r\nMessage-ID: <${id}>\r\nSubject: =?UTF-8?B?${Buffer.from(`${i}号投诉：楼道灯坏了`).toString('base64')}?=\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n${i}栋楼道灯坏了一周了，请尽快修理。\r\n${photo}--b--\r\n`,
  );
}

describe('intake killed with SIGKILL in the middle of an IMAP batch', () => {
  let db: TestDatabase;
  let dovecot: TestDovecot;
  let env: Record<string, string>;
  let child: ChildProcess | undefined;
  let app: INestApplication | undefined;

  const count = async (sql: string): Promise<number> => Number((await db.dataSource.query(sql))[0].n);
  const startChild = () => {
    const c = spawn(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
        join(__dirname, 'testing/poller-child.ts'),
        JSON.stringify(env),
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    c.stderr?.on('data', (b: Buffer) => (err += b.toString()));
    c.once('exit', (code, signal) => {
      if (code && code !== 0) process.stderr.write(`poller child exited ${code} ${signal ?? ''}: ${err}\n`);
    });
    return c;
  };
  const killWhen = async (c: ChildProcess, decidedAtLeast: number) => {
    await expectEventually(
      async () =>
        expect(
          await count(`SELECT count(*) AS n FROM intake_records WHERE outcome <> 'pending'`),
        ).toBeGreaterThanOrEqual(decidedAtLeast),
      { timeoutMs: 90_000, intervalMs: 10 },
    );
    c.kill('SIGKILL');
    await new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('exit', r)));
    return {
      decided: await count(`SELECT count(*) AS n FROM intake_records WHERE outcome <> 'pending'`),
      stored: await count(`SELECT count(*) AS n FROM intake_records`),
      inbox: (await dovecot.list('INBOX')).length,
    };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    dovecot = await startDovecot();
    env = {
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      REDIS_URL: harnessState().redisUrl,
      AUTH_TOKEN_SECRET: TEST_TOKEN_SECRET,
      LOG_LEVEL: 'silent',
      QUEUE_PREFIX: `crash${process.pid}`,
      MAILBOX_URL: dovecot.url,
      MAILBOX_RESYNC_SECONDS: '5',
    };
    await dovecot.appendMessages(
      'INBOX',
      Array.from({ length: N }, (_, i) => mail(i)),
    );
  }, 60_000);
  afterAll(async () => {
    child?.kill('SIGKILL');
    await app?.close();
    await dovecot?.stop();
    await db?.drop();
  });

  it('puts every message in exactly one case (or outcome) after two kills and a restart', async () => {
    child = startChild();
    const first = await killWhen(child, 30);
    // Killed mid-batch: some mail decided, some only stored, some still waiting in the folder.
    expect(first.decided).toBeLessThan(N);
    expect(first.stored).toBeGreaterThan(first.decided);
    expect(first.inbox).toBeGreaterThan(0);

    child = startChild();
    const second = await killWhen(child, first.decided + 60);
    expect(second.decided).toBeLessThan(N);

    app = await startTestApp(
      intakeApp,
      testConfig({ DATABASE_URL: db.url, MAILBOX_URL: dovecot.url, MAILBOX_RESYNC_SECONDS: '3600' }),
    );
    await expectEventually(
      async () => {
        await app!.get(MailboxRunner).request('test');
        expect(await dovecot.list('INBOX')).toEqual([]);
        expect(await count(`SELECT count(*) AS n FROM intake_records WHERE outcome = 'pending'`)).toBe(0);
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );

    const autoReplies = N / 20;
    expect(
      await db.dataSource.query(`SELECT message_id FROM intake_records GROUP BY message_id HAVING count(*) > 1`),
    ).toEqual([]);
    expect(await count(`SELECT count(*) AS n FROM intake_records`)).toBe(N);
    expect(await count(`SELECT count(*) AS n FROM intake_records WHERE outcome = 'auto_reply'`)).toBe(autoReplies);
    expect(await count(`SELECT count(*) AS n FROM cases`)).toBe(N - autoReplies);
    expect(await count(`SELECT count(DISTINCT case_id) AS n FROM intake_records WHERE outcome = 'case_created'`)).toBe(
      N - autoReplies,
    );
    expect(await count(`SELECT count(*) AS n FROM case_events WHERE kind = 'created'`)).toBe(N - autoReplies);
    expect(await count(`SELECT count(*) AS n FROM outbox WHERE job_name = 'case-received'`)).toBe(N - autoReplies);
    expect(await count(`SELECT count(*) AS n FROM attachments`)).toBe(
      Array.from({ length: N }, (_, i) => i).filter((i) => i % 7 === 0 && i % 20 !== 0).length,
    );
    const processed = await dovecot.list('Processed');
    expect(new Set(processed.map((m) => m.messageId)).size).toBe(N);
  }, 240_000);
});
