import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { ImapFlow } from 'imapflow';
import { freePort } from '../local-services/free-port';

const DOVECOT = '/usr/sbin/dovecot';
const DOVEADM = '/usr/bin/doveadm';

export interface MailboxSnapshotEntry {
  uid: number;
  flags: string[];
  messageId: string | null;
}

/** A private Dovecot for one test file (or the benchmark): its own config, maildir, port and logs in a temp folder. */
export interface TestDovecot {
  port: number;
  user: string;
  password: string;
  /** imap://user:password@127.0.0.1:port, what MAILBOX_URL expects. */
  url: string;
  /** APPENDs one raw message (creating the folder if needed); returns its UID. */
  appendMessage: (folder: string, raw: Buffer) => Promise<number>;
  /** APPENDs many messages over one connection (fixtures, benchmark). */
  appendMessages: (folder: string, raws: Buffer[]) => Promise<void>;
  /** Messages in a folder (STATUS), 0 when it does not exist. */
  count: (folder: string) => Promise<number>;
  /** Moves every message of one folder into another (server-side, one UID MOVE), e.g. to release a staged load at once. */
  moveAll: (from: string, to: string) => Promise<void>;
  /** UIDs, flags and Message-IDs currently in a folder ([] when it does not exist). */
  list: (folder: string) => Promise<MailboxSnapshotEntry[]>;
  /** Sets a new UIDVALIDITY on a folder (doveadm), as a server restore or migration would. */
  setUidValidity: (folder: string, uidValidity: number) => Promise<void>;
  /** The server log so far (to print when a test fails). */
  log: () => string;
  /** Kills the server and removes its folder. */
  stop: () => Promise<void>;
}

export function hasDovecot(): boolean {
  return existsSync(DOVECOT);
}

/** Which Unix users run Dovecot's processes and own the mail: the package's users as root, ourselves otherwise. */
function accounts(): { internal: string; login: string; mailUid: number; mailGid: number; root: boolean } {
  const me = userInfo();
  if (me.uid !== 0) return { internal: me.username, login: me.username, mailUid: me.uid, mailGid: me.gid, root: false };
  // Dovecot refuses uid 0 for mail access: the mail belongs to `nobody`, the temp folder is made traversable.
  const nobody = spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' });
  const nogroup = spawnSync('id', ['-g', 'nobody'], { encoding: 'utf8' });
  return {
    internal: 'dovecot',
    login: 'dovenull',
    mailUid: Number(nobody.stdout.trim() || 65534),
    mailGid: Number(nogroup.stdout.trim() || 65534),
    root: true,
  };
}

function config(dir: string, port: number, a: ReturnType<typeof accounts>): string {
  return `# Private test instance: nothing from /etc/dovecot is read.
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = ${a.internal}
default_internal_group = ${a.root ? 'dovecot' : userInfo().username}
default_login_user = ${a.login}
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:${dir}/mail/%u
mail_fsync = never
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${a.mailUid} gid=${a.mailGid} home=${dir}/home/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
namespace inbox {
  inbox = yes
  separator = /
}
`;
}

/** Resolves once the server greets on the port (the master opens the socket before imap-login is ready). */
function waitForGreeting(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const sock = createConnection({ port, host: '127.0.0.1' });
      let seen = '';
      const retry = (why: string) => {
        sock.destroy();
        if (Date.now() > deadline)
          reject(new Error(`dovecot did not greet on ${port} within ${timeoutMs} ms (${why})`));
        else setTimeout(attempt, 50);
      };
      sock.setTimeout(2000, () => retry('timeout'));
      sock.on('data', (b: Buffer) => {
        seen += b.toString('latin1');
        if (/\* OK .*ready/.test(seen)) {
          sock.end();
          resolve();
        }
      });
      sock.once('error', (e) => retry(e.message));
    };
    attempt();
  });
}

function client(port: number, user: string, password: string): ImapFlow {
  const c = new ImapFlow({
    host: '127.0.0.1',
    port,
    secure: false,
    doSTARTTLS: false,
    auth: { user, pass: password },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 120_000,
  });
  c.on('error', () => undefined);
  return c;
}

async function withClient<T>(
  port: number,
  user: string,
  password: string,
  fn: (c: ImapFlow) => Promise<T>,
): Promise<T> {
  const c = client(port, user, password);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.logout().catch(() => undefined);
  }
}

async function ensureFolder(c: ImapFlow, folder: string): Promise<void> {
  if (folder.toUpperCase() === 'INBOX') return;
  const exists = (await c.list()).some((m) => m.path === folder);
  if (!exists) await c.mailboxCreate(folder);
}

/**
 * Starts a private Dovecot (`dovecot -F -c <conf>`) on a free port of 127.0.0.1 with one passwd-file user,
 * a maildir in a temp folder, no TLS, its own base/state dirs and log. Installed by `.ci/run` (dovecot-imapd).
 */
export async function startDovecot(opts: { user?: string; password?: string } = {}): Promise<TestDovecot> {
  if (!hasDovecot())
    throw new Error('Dovecot is not installed. Install it with:\n  apt-get update && apt-get install -y dovecot-imapd');
  const user = opts.user ?? 'cs';
  const password = opts.password ?? randomBytes(8).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'kefu-dovecot-'));
  const a = accounts();
  chmodSync(dir, 0o755);
  for (const sub of ['run', 'state', 'mail', 'home']) mkdirSync(join(dir, sub));
  if (a.root) for (const sub of ['mail', 'home']) chownSync(join(dir, sub), a.mailUid, a.mailGid);
  writeFileSync(join(dir, 'passwd'), `${user}:{PLAIN}${password}\n`, { mode: 0o644 });
  const port = await freePort();
  const conf = join(dir, 'dovecot.conf');
  writeFileSync(conf, config(dir, port, a));

  const child = spawn(DOVECOT, ['-F', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  const log = () => {
    const file = join(dir, 'dovecot.log');
    return output + (existsSync(file) ? readFileSync(file, 'utf8') : '');
  };
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`dovecot exited with code ${code} before it was ready:\n${log()}`))),
  );
  exited.catch(() => undefined);
  try {
    await Promise.race([waitForGreeting(port, 15_000), exited]);
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  const stop = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        rmSync(dir, { recursive: true, force: true });
        resolve();
      };
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', done);
      // SIGKILL on the master only: its children notice the closed pipe and exit on their own.
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    });

  return {
    port,
    user,
    password,
    url: `imap://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    appendMessage: (folder, raw) =>
      withClient(port, user, password, async (c) => {
        await ensureFolder(c, folder);
        const res = await c.append(folder, raw);
        if (!res || typeof res.uid !== 'number') throw new Error(`APPEND to ${folder} returned no UID`);
        return res.uid;
      }),
    appendMessages: (folder, raws) =>
      withClient(port, user, password, async (c) => {
        await ensureFolder(c, folder);
        for (const raw of raws) await c.append(folder, raw);
      }),
    count: (folder) =>
      withClient(port, user, password, async (c) => {
        if (folder.toUpperCase() !== 'INBOX' && !(await c.list()).some((m) => m.path === folder)) return 0;
        const status = await c.status(folder, { messages: true });
        return status ? (status.messages ?? 0) : 0;
      }),
    moveAll: (from, to) =>
      withClient(port, user, password, async (c) => {
        await ensureFolder(c, to);
        await c.mailboxOpen(from);
        if ((c.mailbox ? c.mailbox.exists : 0) > 0) await c.messageMove('1:*', to, { uid: true });
      }),
    list: (folder) =>
      withClient(port, user, password, async (c) => {
        if (folder.toUpperCase() !== 'INBOX' && !(await c.list()).some((m) => m.path === folder)) return [];
        await c.mailboxOpen(folder, { readOnly: true });
        const all = await c.fetchAll('1:*', { uid: true, flags: true, envelope: true }, { uid: true });
        return all.map((m) => ({
          uid: m.uid,
          flags: [...(m.flags ?? [])].sort(),
          messageId: m.envelope?.messageId?.replace(/^<|>$/g, '') ?? null,
        }));
      }),
    setUidValidity: (folder, uidValidity) => {
      const res = spawnSync(
        DOVEADM,
        ['-c', conf, 'mailbox', 'update', '-u', user, '--uid-validity', String(uidValidity), folder],
        { encoding: 'utf8' },
      );
      return res.status === 0
        ? Promise.resolve()
        : Promise.reject(new Error(`doveadm mailbox update failed: ${res.stderr}`));
    },
    log,
    stop,
  };
}
