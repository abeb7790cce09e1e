import nodemailer from 'nodemailer';
import { parseDeliveryReport } from '../../mail';
import { startLocalMail } from '../local-mail';

/**
 * Run by local-mail.integration-spec as another Unix user (not root): starts the local mail system in the folder
 * given as argument, sends a test mail and a mail that bounces, prints what was delivered as one JSON line, stops.
 */
async function main(dir: string): Promise<void> {
  const mail = await startLocalMail({
    dir,
    imapPort: 0,
    smtpPort: 0,
    domain: 'kefu.local',
    isKnownAddress: (a) => Promise.resolve(a !== 'nobody.here@163.com'),
  });
  try {
    await mail.sendTestMail({ from: 'wangzhe.owner@163.com', subject: '漏水', text: '厨房漏水' });
    const t = nodemailer.createTransport({ url: mail.smtpUrl });
    await t
      .sendMail({
        from: mail.csAddress,
        to: 'nobody.here@163.com',
        subject: '提醒',
        text: '请处理。',
        envelope: { from: 'bounces+1@kefu.local', to: ['nobody.here@163.com'] },
      })
      .finally(() => t.close());
    const list = mail.list({ limit: 10 });
    const dsn = await mail.message(list[0]!.id);
    const status = dsn ? parseDeliveryReport(dsn.raw)?.status : null;
    console.log(JSON.stringify({ uid: process.getuid?.(), status, list }));
  } finally {
    await mail.stop();
  }
}

main(process.argv[2]!).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
