import { spawn, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { dovecotAccounts, freePort, reachableDataDir } from '@kefu/shared';
import { quietHoursElsewhere } from '@kefu/shared/testing';

const repo = resolve(__dirname, '..');

/** The tracked and new (not ignored) files: what a clone of this commit would hold, without .data or dist. */
function cleanCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kefu-clone-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repo })
    .toString()
    .split('\0')
    .filter(Boolean);
  for (const f of files) {
    if (!existsSync(join(repo, f))) continue; // deleted in the working tree
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    copyFileSync(join(repo, f), join(dir, f));
  }
  // Allowed by the issue: reuse the installed node_modules to save minutes.
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

const portOpen = (port: number) =>
  new Promise<boolean>((res) => {
    const s = createConnection({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      res(true);
    });
    s.once('error', () => res(false));
  });

describe('README command 1 (npm start)', () => {
  it('brings up the whole system from a clean clone, healthy, and Ctrl-C stops everything', async () => {
    const dir = cleanCopy();
    const [pg, redis, intake, scheduler, notifier, sms, outbox, imap, smtp] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      KEFU_PG_PORT: String(pg),
      KEFU_REDIS_PORT: String(redis),
      INTAKE_PORT: String(intake),
      SCHEDULER_PORT: String(scheduler),
      NOTIFIER_PORT: String(notifier),
      KEFU_LOCAL_SMS_PORT: String(sms),
      KEFU_LOCAL_OUTBOX_PORT: String(outbox),
      KEFU_LOCAL_IMAP_PORT: String(imap),
      KEFU_LOCAL_SMTP_PORT: String(smtp),
      LOG_LEVEL: 'warn',
      // The acknowledgement SMS below must not wait for the end of the night's quiet hours (21:00–08:00).
      SMS_QUIET_HOURS: quietHoursElsewhere(),
    };
    delete env.DATABASE_URL;
    delete env.REDIS_URL;
    // The local providers stand in for whatever is not configured: nothing from the caller's environment.
    for (const k of Object.keys(env)) if (/^(TWILIO_|SMTP_|MAILBOX_|BOUNCE_MAILBOX_|EMAIL_)/.test(k)) delete env[k];
    const child = spawn('npm', ['start'], { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    try {
      const deadline = Date.now() + 240_000;
      // Up, and the whole banner printed (the logins come a moment after "Kefu is up" on a loaded machine).
      while (!/staff logins .*\n/.test(output) && Date.now() < deadline && child.exitCode === null)
        await new Promise((r) => setTimeout(r, 250));
      if (!output.includes('Kefu is up')) throw new Error(`npm start did not come up:\n${output}`);
      expect(output).toMatch(/staff logins \(password for all: demo-[0-9a-f]+\): admin \(admin\)/);

      for (const port of [intake, scheduler, notifier]) {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({
          status: 'ok',
          info: { postgres: { status: 'up' }, redis: { status: 'up' } },
        });
      }

      // The console comes from the build (nest-cli.json copies it beside the app) and reaches the
      // scheduler and notifier on the ports npm start gave them.
      const consolePage = await fetch(`http://127.0.0.1:${intake}/console`);
      expect(consolePage.status).toBe(200);
      expect(await consolePage.text()).toContain('/console/app.js');
      expect((await fetch(`http://127.0.0.1:${intake}/console/app.js`)).status).toBe(200);
      const password = /password for all: (demo-[0-9a-f]+)/.exec(output)?.[1];
      const tokenOf = async (login: string) => {
        const res = await fetch(`http://127.0.0.1:${intake}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ login, password }),
        });
        return ((await res.json()) as { accessToken: string }).accessToken;
      };
      const accessToken = await tokenOf('admin');
      const get = async <T = Record<string, unknown>>(path: string): Promise<T> => {
        const res = await fetch(`http://127.0.0.1:${intake}${path}`, {
          headers: { authorization: `Bearer ${accessToken}` },
        });
        expect([path, res.status]).toEqual([path, 200]);
        return (await res.json()) as T;
      };
      for (const path of ['/api/v1/reminders', '/api/v1/notifications']) await get(path);

      // A hotline call: its acknowledgement SMS goes through the local gateway and shows delivered within 10 s.
      const call = await fetch(`http://127.0.0.1:${intake}/api/v1/hotline/calls`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await tokenOf('operator')}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          callerNumber: '13800138000',
          startedAt: new Date().toISOString(),
          durationSeconds: 60,
          summary: '3栋2单元1502 卫生间漏水',
          reporterName: '王先生',
        }),
      });
      expect(call.status).toBe(201);
      const { case: c } = (await call.json()) as { case: { id: string; number: string } };
      const ackDeadline = Date.now() + 10_000;
      let ack: { status: string; providerId: string } | undefined;
      while (Date.now() < ackDeadline && ack?.status !== 'delivered') {
        ack = (
          await get<{ items: Array<{ status: string; providerId: string }> }>(`/api/v1/notifications?caseId=${c.id}`)
        ).items[0];
        if (ack?.status !== 'delivered') await new Promise((r) => setTimeout(r, 250));
      }
      expect(ack?.status).toBe('delivered');
      const local = await get<{ sms: Array<{ sid: string }> }>('/api/v1/local-outbox');
      expect(local.sms.find((m) => m.sid === ack!.providerId)).toMatchObject({
        to: '+8613800138000',
        status: 'delivered',
      });

      // An email to customer service (the outbox's test-mail form): a case within 10 s, its acknowledgement in the
      // sender's local mailbox.
      const sent = await fetch(`http://127.0.0.1:${intake}/api/v1/local-outbox/test-mail`, {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          from: 'o1@owner.example',
          subject: '3栋楼道灯坏了',
          text: '楼道的灯坏了一个星期了，请尽快维修。',
        }),
      });
      expect(sent.status).toBe(201);
      const mailDeadline = Date.now() + 10_000;
      let acked: { to: string; subject: string } | undefined;
      while (Date.now() < mailDeadline && !acked) {
        const box = await get<{ mail: Array<{ to: string; subject: string }> }>('/api/v1/local-outbox');
        acked = box.mail.find((m) => m.to.includes('o1@owner.example') && /COBZS001-\d{4}-\d{5}/.test(m.subject));
        if (!acked) await new Promise((r) => setTimeout(r, 250));
      }
      expect(acked).toBeDefined();
      const emailCases = await get<{ items: Array<{ channel: string; number: string }> }>(
        '/api/v1/cases?channel=email',
      );
      expect(acked!.subject).toContain(emailCases.items[0]!.number);

      // Ctrl-C in a terminal signals the whole foreground process group: the apps stop first (the databases
      // are in groups of their own), quietly, and npm start ends with exit code 0.
      const before = output.length;
      process.kill(-child.pid!, 'SIGINT');
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([
        exited,
        new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 30_000))),
      ]);
      clearTimeout(timer);
      if (!/\[kefu\] stopped\./.test(output)) throw new Error(`no orderly stop:\n${output}`);
      const stopping = output.slice(before);
      expect(stopping).not.toMatch(/ECONNREFUSED|Unhandled error|^\s+at /m);
      expect(code).toBe(0);
      for (const port of [pg, redis, intake, scheduler, notifier, sms, outbox])
        expect(await portOpen(port)).toBe(false);
    } finally {
      // Whatever failed, stop it as Ctrl-C does first: the databases are in process groups of their own, which the
      // SIGKILL below does not reach (a failed run once left its Redis and Dovecot running).
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid!, 'SIGINT');
        } catch {
          // already gone
        }
        let stopTimer: NodeJS.Timeout | undefined;
        await Promise.race([exited, new Promise((r) => (stopTimer = setTimeout(r, 30_000)))]);
        clearTimeout(stopTimer);
      }
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      // As root the clone (a mode-0700 temp folder) keeps its Postgres data outside, where the postgres user reaches it.
      const pgData = reachableDataDir(join(dir, '.data', 'postgres'));
      if (!pgData.startsWith(dir)) rmSync(dirname(pgData), { recursive: true, force: true });
      // So do its local mailboxes (the mail belongs to `nobody`).
      const mailData = reachableDataDir(join(dir, '.data', 'local-mail', 'dovecot'), dovecotAccounts().mail);
      if (!mailData.startsWith(dir)) rmSync(dirname(mailData), { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
