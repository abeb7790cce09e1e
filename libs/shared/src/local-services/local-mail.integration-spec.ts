import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { simpleParser } from 'mailparser';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { parseDeliveryReport } from '../mail';
import { expectEventually } from '../testing/eventually';
import { dovecotAccounts, localImapClient, withLocalImap } from './dovecot-server';
import { canReach, reachableDataDir } from './embedded-postgres';
import { startLocalMail, type LocalMail } from './local-mail';

const OWNER = 'wangzhe.owner@163.com';
const STAFF = 'li.staff@kefu.local';

/** Every message of a mailbox's INBOX, read over IMAP as that user with the URL the apps would be given. */
async function inboxOf(url: string): Promise<Buffer[]> {
  const u = new URL(url);
  const user = decodeURIComponent(u.username);
  return withLocalImap(Number(u.port), user, decodeURIComponent(u.password), async (c) => {
    await c.mailboxOpen('INBOX', { readOnly: true });
    if (!c.mailbox || c.mailbox.exists === 0) return [];
    return (await c.fetchAll('1:*', { source: true })).map((m) => m.source!);
  });
}

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));

/** The Dovecot master (from its pid file) and its children. */
function dovecotProcesses(dir: string): number[] {
  const master = Number(readFileSync(join(dir, 'dovecot', 'run', 'master.pid'), 'utf8').trim());
  const children = readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return Number(readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) === master;
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
  return [master, ...children];
}

describe('local mail system (real Dovecot, real SMTP)', () => {
  let dir: string;
  let mail: LocalMail;
  const known = new Set([OWNER, STAFF]);
  const logged: string[] = [];
  const start = () =>
    startLocalMail({
      dir,
      imapPort: 0,
      smtpPort: 0,
      domain: 'kefu.local',
      // As the owners/staff lookup would fail with Postgres down.
      isKnownAddress: (a) =>
        a === 'db.down@163.com' ? Promise.reject(new Error('connection refused')) : Promise.resolve(known.has(a)),
      onLog: (line) => logged.push(line),
    });
  const userUrl = (address: string) =>
    mail.csMailboxUrl.replace(encodeURIComponent(mail.csAddress), encodeURIComponent(address));
  const send = (m: SendMailOptions) => {
    const t = nodemailer.createTransport({ url: mail.smtpUrl });
    return t.sendMail(m).finally(() => t.close());
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kefu-local-mail-'));
    mail = await start();
  });
  afterAll(async () => {
    await mail?.stop({ removeData: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers to an owner, who reads it over IMAP with the trace headers an MTA adds', async () => {
    const info = await send({
      from: `客户服务部 <${mail.csAddress}>`,
      to: '王喆 <WangZhe.Owner@163.com>',
      subject: '报修已受理',
      text: '您好，您的报修已受理。',
      messageId: '<ack-1@kefu.local>',
    });
    expect(info.accepted).toEqual(['WangZhe.Owner@163.com']);
    const [raw, ...more] = await inboxOf(userUrl(OWNER));
    expect(more).toHaveLength(0);
    const text = raw!.toString('utf8');
    expect(text).toMatch(
      /^Return-Path: <kefu@kefu\.local>\r\nDelivered-To: WangZhe\.Owner@163\.com\r\nReceived: from /,
    );
    const parsed = await simpleParser(raw!);
    expect(parsed.subject).toBe('报修已受理');
    expect(parsed.text?.trim()).toBe('您好，您的报修已受理。');
    expect(parsed.messageId).toBe('<ack-1@kefu.local>');
  });

  it('bounces an unknown recipient with an RFC 3464 DSN to the VERP return path, in the bounce mailbox', async () => {
    const notificationId = randomUUID();
    const verp = `bounces+${notificationId}@kefu.local`;
    const before = (await inboxOf(mail.bounceMailboxUrl)).length;
    const info = await send({
      from: mail.csAddress,
      to: ['nobody.here@163.com', STAFF],
      subject: '提醒',
      text: '请处理。',
      messageId: `<kefu.${notificationId}.1@kefu.local>`,
      envelope: { from: verp, to: ['nobody.here@163.com', STAFF] },
    });
    // Accepted, as a real MTA accepts for a domain it serves and bounces afterwards.
    expect(info.accepted).toHaveLength(2);
    expect(await inboxOf(userUrl(STAFF))).toHaveLength(1);
    const bounces = await inboxOf(mail.bounceMailboxUrl);
    expect(bounces).toHaveLength(before + 1);
    const report = parseDeliveryReport(bounces.at(-1)!);
    expect(report).toMatchObject({
      kind: 'bounce',
      format: 'rfc3464',
      action: 'failed',
      status: '5.1.1',
      finalRecipient: 'nobody.here@163.com',
      originalMessageId: `kefu.${notificationId}.1@kefu.local`,
    });
    expect(report!.recipients).toHaveLength(1);
    expect(report!.diagnostic).toMatch(/550 5\.1\.1/);
    expect(report!.addressedTo).toContain(verp);
    expect(bounces.at(-1)!.toString('latin1')).toMatch(/^Return-Path: <>\r\n/);
    expect(mail.list({ limit: 1 })[0]).toMatchObject({ mailbox: mail.bounceAddress, recipient: verp, isDsn: true });
  });

  it('never bounces a bounce: undeliverable mail from the null sender is dropped', async () => {
    const count = mail.list({ limit: 1000 }).length;
    // nodemailer's transport always sends a MAIL FROM address; its SMTP connection class takes the null sender.
    const c = new SMTPConnection({ host: '127.0.0.1', port: mail.smtpPort });
    await new Promise<void>((ok, fail) => c.connect((err?: Error) => (err ? fail(err) : ok())));
    const sent = await new Promise<SMTPConnection.SentMessageInfo>((ok, fail) =>
      c.send({ from: '', to: ['nobody.here@163.com'] }, 'Subject: x\r\n\r\nx\r\n', (err, info) =>
        err ? fail(err) : ok(info),
      ),
    );
    c.quit();
    expect(sent.accepted).toEqual(['nobody.here@163.com']);
    expect(mail.list({ limit: 1000 })).toHaveLength(count);
    expect(logged.at(-1)).toBe('undeliverable mail from <> to nobody.here@163.com dropped');
  });

  it('answers 451 (try again later) and delivers nothing when the address lookup fails', async () => {
    const count = mail.list({ limit: 1000 }).length;
    await expect(
      send({ from: mail.csAddress, to: [OWNER, 'db.down@163.com'], subject: 'x', text: 'x' }),
    ).rejects.toMatchObject({ responseCode: 451 });
    expect(mail.list({ limit: 1000 })).toHaveLength(count);
  });

  it('sendTestMail lands in the customer-service mailbox at once (IDLE sees it) with the given From, newest first in list()', async () => {
    const idle = localImapClient(mail.imapPort, mail.csAddress, mail.imapPassword);
    await idle.connect();
    let exists = 0;
    try {
      await idle.mailboxOpen('INBOX');
      idle.on('exists', (e: { count: number }) => (exists = e.count));
      const idling = idle.idle();
      const { messageId } = await mail.sendTestMail({
        from: '王喆 <wangzhe.owner@163.com>',
        subject: '3栋2单元1502 厨房漏水',
        text: '厨房天花板漏水，请尽快处理。',
        inReplyTo: 'ack-1@kefu.local',
      });
      await expectEventually(() => expect(exists).toBe(1), { timeoutMs: 5000 });
      await idle.noop(); // ends IDLE
      await idling;
      const [raw] = await inboxOf(mail.csMailboxUrl);
      const parsed = await simpleParser(raw!);
      expect(parsed.from?.value).toEqual([{ name: '王喆', address: 'wangzhe.owner@163.com' }]);
      expect(parsed.inReplyTo).toBe('<ack-1@kefu.local>');
      expect(parsed.messageId).toBe(`<${messageId}>`);

      const [newest, previous] = mail.list({ limit: 2 });
      expect(newest).toMatchObject({
        mailbox: mail.csAddress,
        recipient: mail.csAddress,
        envelopeFrom: 'wangzhe.owner@163.com',
        from: '"王喆" <wangzhe.owner@163.com>',
        subject: '3栋2单元1502 厨房漏水',
        preview: '厨房天花板漏水，请尽快处理。',
        messageId,
        isDsn: false,
      });
      expect(previous!.deliveredAt <= newest!.deliveredAt).toBe(true);
      const full = await mail.message(newest!.id);
      expect(full!.text?.trim()).toBe('厨房天花板漏水，请尽快处理。');
      expect(full!.html).toBeNull();
      expect(full!.raw.equals(raw!)).toBe(true);
      expect(await mail.message('../index')).toBeNull();
    } finally {
      await idle.logout().catch(() => undefined);
    }
  });

  it('keeps mail and its index across stop and start; stop leaves no Dovecot process', async () => {
    const listed = mail.list({ limit: 100 });
    const password = mail.imapPassword;
    const processes = dovecotProcesses(dir);
    expect(processes.length).toBeGreaterThan(1);
    await mail.stop();
    expect(processes.filter(alive)).toEqual([]);

    mail = await start();
    expect(mail.imapPassword).toBe(password);
    expect(mail.list({ limit: 100 })).toEqual(listed);
    expect(await inboxOf(userUrl(OWNER))).toHaveLength(1);
    expect(await inboxOf(mail.csMailboxUrl)).toHaveLength(1);
  });

  // A checkout under root's home (mode 0700): the mail uid cannot enter it, and nothing above the data folder changes.
  it('keeps the mailboxes where the mail user reaches them — as root in a folder closed to others, under /var/lib/kefu — and opens nothing up', async () => {
    const closed = mkdtempSync(join(tmpdir(), 'kefu-closed-'));
    const data = join(closed, 'data');
    const relocated = reachableDataDir(join(data, 'dovecot'), dovecotAccounts().mail);
    // As root the mail belongs to `nobody`, who cannot enter the folder; an ordinary user's mail stays in it.
    if (userInfo().uid === 0) expect(dirname(dirname(relocated))).toBe('/var/lib/kefu');
    else expect(relocated).toBe(join(data, 'dovecot'));
    const local = await startLocalMail({ dir: data, imapPort: 0, smtpPort: 0, domain: 'kefu.local' });
    try {
      await local.sendTestMail({ from: OWNER, subject: '漏水', text: '漏水' });
      expect(await inboxOf(local.csMailboxUrl)).toHaveLength(1);
      expect(existsSync(join(relocated, 'mail', local.csAddress))).toBe(true);
      expect(statSync(closed).mode & 0o777).toBe(0o700);
      // stop({ removeData }) (the tests' clean-up) leaves nothing behind, under /var/lib/kefu included.
      await local.stop({ removeData: true });
      expect([existsSync(data), existsSync(relocated)]).toEqual([false, false]);
    } finally {
      await local.stop();
      rmSync(closed, { recursive: true, force: true });
      if (!relocated.startsWith(closed)) rmSync(dirname(relocated), { recursive: true, force: true });
    }
  });

  // Dovecot as an ordinary user runs everything as that user, without chroot: the same code, started by `nobody`.
  // (Run by an ordinary user, the test is already one: the child then runs as that user.)
  const nobody = dovecotAccounts().mail;
  const root = userInfo().uid === 0;
  it('starts as an ordinary user too (as root, run as nobody): delivers, bounces with a DSN, stops', () => {
    const home = mkdtempSync(join(tmpdir(), 'kefu-local-mail-user-'));
    if (root) chownSync(home, nobody.uid, nobody.gid);
    // A checkout `nobody` cannot enter (a clone under /root): the child runs from a copy it can read — the
    // library's sources, the TypeScript config and node_modules hard-linked (copied where links cannot go).
    const repo = reachableCheckout(nobody, home);
    try {
      const child = spawnSync(
        process.execPath,
        [
          '-r',
          'ts-node/register/transpile-only',
          join(repo, 'libs', 'shared', 'src', 'local-services', 'testing', 'local-mail-child.ts'),
          join(home, 'data'),
        ],
        {
          cwd: repo,
          ...(root ? { uid: nobody.uid, gid: nobody.gid } : {}),
          env: { PATH: '/usr/bin:/bin', HOME: home },
          encoding: 'utf8',
          timeout: 60_000,
        },
      );
      expect(child.stderr).toBe('');
      const out = JSON.parse(child.stdout.trim().split('\n').pop()!) as {
        uid: number;
        status: string;
        list: Array<{ mailbox: string; isDsn: boolean }>;
      };
      expect(out.uid).toBe(nobody.uid);
      expect(out.status).toBe('5.1.1');
      expect(out.list.map((e) => [e.mailbox, e.isDsn])).toEqual([
        ['bounces@kefu.local', true],
        ['kefu@kefu.local', false],
      ]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 180_000);

  it('a port in use is a one-line error, and nothing is left running', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as AddressInfo).port;
    const other = mkdtempSync(join(tmpdir(), 'kefu-local-mail-'));
    try {
      const at = (imapPort: number, smtpPort: number) =>
        startLocalMail({ dir: other, imapPort, smtpPort, domain: 'kefu.local' });
      await expect(at(port, 0)).rejects.toThrow(
        new RegExp(`^Dovecot did not start on 127\\.0\\.0\\.1:${port}: .*Address already in use.*\\(log: `),
      );
      await expect(at(0, port)).rejects.toThrow(
        `the local SMTP server could not listen on 127.0.0.1:${port}: listen EADDRINUSE`,
      );
      const pidFile = join(other, 'dovecot', 'run', 'master.pid');
      const master = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : 0;
      expect(master && alive(master)).toBeFalsy();
    } finally {
      taken.close();
      rmSync(other, { recursive: true, force: true });
    }
  });
});

/** The checkout itself when `account` can read it, else a readable copy of what the child needs, under `home`. */
function reachableCheckout(account: ReturnType<typeof dovecotAccounts>['mail'], home: string): string {
  const repo = join(__dirname, '../../../..');
  if (canReach(account, join(repo, 'node_modules'))) return repo;
  const copy = join(home, 'checkout');
  mkdirSync(copy, { recursive: true });
  for (const f of ['package.json', 'tsconfig.json']) cpSync(join(repo, f), join(copy, f));
  cpSync(join(repo, 'libs'), join(copy, 'libs'), { recursive: true });
  const linked = spawnSync('cp', ['-al', join(repo, 'node_modules'), join(copy, 'node_modules')]);
  if (linked.status !== 0) cpSync(join(repo, 'node_modules'), join(copy, 'node_modules'), { recursive: true });
  spawnSync('chmod', ['-R', 'a+rX', join(copy, 'libs'), join(copy, 'package.json'), join(copy, 'tsconfig.json')]);
  return copy;
}
