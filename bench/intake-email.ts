/**
 * emails/s draining a Dovecot mailbox of N mixed messages into cases (bench:intake calls benchEmail).
 * The load is staged in another folder and released into the watched folder with one server-side MOVE,
 * so the clock covers what production does: IDLE notices the mail, the poller fetches in ranges, stores the
 * raw bytes, decides each message (parse, rules, case transaction) with bounded parallelism and moves the
 * decided ones out by UID set. Done = every message decided and the folder empty.
 * Standalone: node -r ts-node/register/transpile-only -r tsconfig-paths/register bench/intake-email.ts [N]
 */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { configSchema, createApp, dataSourceOptions } from '@kefu/shared';
import { startDovecot } from '@kefu/shared/testing';
import { intakeApp } from '../apps/intake/src/intake.app';
import { base64Lines, encodedWord, encodeLegacy } from '../apps/intake/test-fixtures/mail/builders';
import { benchProductionEnv } from './bench-env';

export interface EmailBenchResult {
  messages: number;
  seconds: number;
  emailsPerSecond: number;
  cases: number;
  outcomes: Record<string, number>;
}

const complaints = [
  '3栋2单元1502卫生间漏水，楼下天花板也渗水了',
  '电梯经常停运，物业不处理',
  '小区门口路灯坏了一周了',
  '请问房产证什么时候可以办理',
  '楼上装修噪音太大，晚上十点还在施工',
  '车库入口道闸经常抬不起来',
  '建议在儿童游乐区增加遮阳棚',
];
const corpus = join(__dirname, '../apps/intake/test-fixtures/mail/corpus/bounces');
const bounceFiles = ['lhost-postfix-01.eml', 'lhost-exim-01.eml', 'lhost-exchange2007-01.eml', 'lhost-gmail-01.eml'];

/** The i-th message of the mix: plain UTF-8 / GBK / GB2312, HTML only, with a photo, auto-replies, a few bounces. */
export function benchMessage(i: number, run: string): Buffer {
  const id = `<bench-${run}-${i}@example.com>`;
  const text = `${complaints[i % complaints.length]}（第${i}封）`;
  const head = `From: ${encodedWord(Buffer.from(`业主${i % 500}`), 'UTF-8')} <owner${i % 500}@example.com>\r\nTo: cs@kefu.example\r\nDate: Mon, 23 Nov 2026 10:00:00 +0800\r\nMessage-ID: ${id}\r\nMIME-Version: 1.0\r\n`;
  const kind = i % 50;
  if (kind === 49) {
    // A real bounce from the corpus, made unique.
    const raw = readFileSync(join(corpus, bounceFiles[i % bounceFiles.length]!)).toString('latin1');
    return Buffer.from(raw.replace(/^Message-I[Dd]:.*$/m, `Message-ID: ${id}`), 'latin1');
  }
  if (kind % 16 === 3)
    return Buffer.from(
      `${head}Subject: ${encodedWord(Buffer.from('自动回复：休假中'), 'UTF-8')}\r\nAuto-Submitted: auto-replied\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n我正在休假。\r\n`,
    );
  if (kind % 10 === 1) {
    const html = `<html><head><script>alert(1)</script></head><body><p>${text}</p><table><tr><td>位置</td><td>${i % 30}栋</td></tr></table></body></html>`;
    return Buffer.from(
      `${head}Subject: ${encodedWord(Buffer.from(text.slice(0, 12)), 'UTF-8')}\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(Buffer.from(html))}`,
    );
  }
  if (kind % 10 === 2) {
    const photo = Buffer.alloc(24 * 1024, i % 251);
    return Buffer.from(
      `${head}Subject: ${encodedWord(Buffer.from(text.slice(0, 12)), 'UTF-8')}\r\nContent-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(Buffer.from(text))}--b${i}\r\nContent-Type: image/jpeg; name="photo${i}.jpg"\r\nContent-Disposition: attachment; filename="photo${i}.jpg"\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(photo)}--b${i}--\r\n`,
    );
  }
  const charset = i % 3 === 0 ? 'gbk' : i % 3 === 1 ? 'gb2312' : 'utf-8';
  const body =
    charset === 'utf-8'
      ? Buffer.from(`${text}\r\n联系电话：1380013${String(i % 10000).padStart(4, '0')}\r\n`)
      : encodeLegacy(`${text}\r\n`, 'gbk');
  const subject =
    charset === 'utf-8'
      ? encodedWord(Buffer.from(text.slice(0, 12)), 'UTF-8')
      : encodedWord(encodeLegacy(text.slice(0, 12), 'gbk'), charset);
  return Buffer.concat([
    Buffer.from(
      `${head}Subject: ${subject}\r\nContent-Type: text/plain; charset=${charset}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`,
    ),
    body,
  ]);
}

export async function benchEmail(opts: {
  messages: number;
  databaseUrl: string;
  redisUrl: string;
}): Promise<EmailBenchResult> {
  const run = Date.now().toString(36);
  const mailbox = `bench${run}`.slice(0, 50);
  const dovecot = await startDovecot();
  const ds = new DataSource(dataSourceOptions(opts.databaseUrl, { poolSize: 2 }));
  await ds.initialize();
  try {
    await dovecot.appendMessages(
      'Staging',
      Array.from({ length: opts.messages }, (_, i) => benchMessage(i, run)),
    );
    const config = configSchema.parse({
      DATABASE_URL: opts.databaseUrl,
      REDIS_URL: opts.redisUrl,
      ...benchProductionEnv,
      LOG_LEVEL: 'silent',
      DB_POOL_SIZE: '20',
      QUEUE_PREFIX: 'benchmail',
      MAILBOX_URL: dovecot.url,
      MAILBOX_NAME: mailbox,
      MAILBOX_FOLDER: 'Intake',
      MAILBOX_RESYNC_SECONDS: '3600',
    });
    const app = await createApp(intakeApp, config);
    await app.init();
    try {
      const source = `imap:${mailbox}`;
      const decided = async () =>
        Number(
          (
            await ds.query<Array<{ n: number }>>(
              `SELECT count(*)::int AS n FROM intake_records WHERE source = $1 AND outcome <> 'pending'`,
              [source],
            )
          )[0]?.n ?? 0,
        );
      // Let the watcher settle into IDLE on the empty folder, then release the whole load at once.
      await dovecot.appendMessages('Intake', []);
      await new Promise((r) => setTimeout(r, 500));
      const started = performance.now();
      await dovecot.moveAll('Staging', 'Intake');
      const deadline = started + 600_000;
      // Watch the folder (cheap STATUS) and ask Postgres only once it is empty: the watching must not load the database.
      while ((await dovecot.count('Intake')) > 0 || (await decided()) < opts.messages) {
        if (performance.now() > deadline)
          throw new Error(`only ${await decided()} of ${opts.messages} messages were processed within 10 minutes`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const seconds = (performance.now() - started) / 1000;
      const rows = await ds.query<Array<{ outcome: string; n: number }>>(
        `SELECT outcome, count(*)::int AS n FROM intake_records WHERE source = $1 GROUP BY outcome`,
        [source],
      );
      const outcomes = Object.fromEntries(rows.map((r) => [r.outcome, r.n]));
      return {
        messages: opts.messages,
        seconds,
        emailsPerSecond: opts.messages / seconds,
        cases: outcomes.case_created ?? 0,
        outcomes,
      };
    } finally {
      await app.close();
    }
  } finally {
    await ds.destroy();
    await dovecot.stop();
  }
}

if (require.main === module) {
  void (async () => {
    const { benchServices } = await import('./bench-env');
    const services = await benchServices();
    try {
      const r = await benchEmail({
        messages: Number(process.argv[2] ?? 5000),
        databaseUrl: services.databaseUrl,
        redisUrl: services.redisUrl,
      });
      process.stdout.write(
        `email drain: ${r.emailsPerSecond.toFixed(0)} emails/s (${r.messages} messages in ${r.seconds.toFixed(2)} s; ${JSON.stringify(r.outcomes)})\n`,
      );
    } finally {
      await services.stop();
    }
    process.exit(0);
  })();
}
