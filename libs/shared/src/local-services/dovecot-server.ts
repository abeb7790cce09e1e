import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { ImapFlow } from 'imapflow';
import type { RunAs } from './embedded-postgres';

const DOVECOT = '/usr/sbin/dovecot';
export const DOVEADM = '/usr/bin/doveadm';

export function hasDovecot(): boolean {
  return existsSync(DOVECOT);
}

/** The command a user should run when Dovecot is missing. */
export function dovecotInstallHint(): string {
  return 'apt-get update && apt-get install -y dovecot-imapd   (Debian/Ubuntu)';
}

/** Which Unix users run Dovecot's processes and own the mail: the package's users as root, ourselves otherwise. */
export interface DovecotAccounts {
  internal: string;
  internalGroup: string;
  login: string;
  /** Owner of the maildirs: Dovecot refuses uid 0 for mail access. */
  mail: RunAs;
  root: boolean;
}

export function dovecotAccounts(): DovecotAccounts {
  const me = userInfo();
  if (me.uid !== 0) {
    const group = spawnSync('id', ['-gn'], { encoding: 'utf8' }).stdout.trim() || me.username;
    return { internal: me.username, internalGroup: group, login: me.username, mail: me, root: false };
  }
  // As root the mail belongs to `nobody`; its folders must be reachable by that user (see reachableDataDir).
  const nobody = spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' });
  const nogroup = spawnSync('id', ['-g', 'nobody'], { encoding: 'utf8' });
  return {
    internal: 'dovecot',
    internalGroup: 'dovecot',
    login: 'dovenull',
    mail: { uid: Number(nobody.stdout.trim() || 65534), gid: Number(nogroup.stdout.trim() || 65534) },
    root: true,
  };
}

/**
 * Who may log in: `users` (a passwd-file of user → password, only those users exist) or `password` (a static
 * passdb: any user name logs in with this one password, and its mailbox is created on first use).
 */
export type DovecotLogins = { users: Record<string, string> } | { password: string };

// Dovecot's default plus `+` and `=` (VERP and tagged addresses); never `/`, which would leave the mail folder.
const USERNAME_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01234567890.-_@+=';

/** Whether Dovecot accepts `user` as a login name (and so as a mailbox of its own). */
export function isDovecotUsername(user: string): boolean {
  return user.length > 0 && user.length <= 200 && [...user].every((c) => USERNAME_CHARS.includes(c));
}

function passdb(dir: string, logins: DovecotLogins): string {
  if ('password' in logins) {
    return `passdb {\n  driver = static\n  args = password=${logins.password}\n}`;
  }
  const lines = Object.entries(logins.users).map(([u, p]) => `${u}:{PLAIN}${p}\n`);
  writeFileSync(join(dir, 'passwd'), lines.join(''), { mode: 0o644 });
  return `passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u ${dir}/passwd\n}`;
}

function config(dir: string, baseDir: string, port: number, a: DovecotAccounts, logins: DovecotLogins): string {
  return `# Private instance: nothing from /etc/dovecot is read.
base_dir = ${baseDir}
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_username_chars = ${USERNAME_CHARS}
default_internal_user = ${a.internal}
default_internal_group = ${a.internalGroup}
default_login_user = ${a.login}
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:${dir}/mail/%u
mail_fsync = never
${passdb(dir, logins)}
userdb {
  driver = static
  args = uid=${a.mail.uid} gid=${a.mail.gid} home=${dir}/home/%u
}
service imap-login {${a.root ? '' : '\n  chroot ='}
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
${a.root ? '' : '# Not root: chroot is not permitted.\nservice anvil {\n  chroot =\n}\n'}namespace inbox {
  inbox = yes
  separator = /
}
`;
}

/** Resolves once the server greets on the port (the master opens the socket before imap-login is ready). */
export function waitForImapGreeting(port: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (signal?.aborted) return reject(new Error('no longer waited for'));
      const sock = createConnection({ port, host: '127.0.0.1' });
      let seen = '';
      let settled = false;
      const retry = (why: string) => {
        if (settled) return;
        settled = true;
        sock.destroy();
        if (Date.now() > deadline)
          reject(new Error(`dovecot did not greet on ${port} within ${timeoutMs} ms (${why})`));
        else setTimeout(attempt, 50);
      };
      sock.setTimeout(2000, () => retry('timeout'));
      sock.on('data', (b: Buffer) => {
        seen += b.toString('latin1');
        if (/\* OK .*ready/.test(seen)) {
          settled = true;
          sock.end();
          resolve();
        }
      });
      sock.once('error', (e) => retry(e.message));
      // The master accepts and hangs up while imap-login cannot start (throttled): retry, then a bounded failure.
      sock.once('close', () => retry(`connection closed${seen ? ` after ${JSON.stringify(seen.slice(0, 80))}` : ''}`));
    };
    attempt();
  });
}

/** A plain-text ImapFlow client for a local Dovecot (timeouts set, errors listened to, no auto-IDLE). */
export function localImapClient(port: number, user: string, password: string): ImapFlow {
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

/** Runs `fn` on a fresh logged-in connection and always logs out. */
export async function withLocalImap<T>(
  port: number,
  user: string,
  password: string,
  fn: (c: ImapFlow) => Promise<T>,
): Promise<T> {
  const c = localImapClient(port, user, password);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.logout().catch(() => undefined);
  }
}

export interface DovecotServer {
  port: number;
  /** The generated dovecot.conf (for doveadm -c). */
  conf: string;
  process: ChildProcess;
  /** Startup output and the server log so far. */
  log: () => string;
  /** SIGTERM to the master, which stops its children before it exits; resolves once it and they are gone. */
  stop: () => Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops a Dovecot left running on this folder by an earlier run that crashed (it would refuse to start). */
async function stopStaleMaster(baseDir: string): Promise<void> {
  const pidFile = join(baseDir, 'master.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!pid || !alive(pid)) return;
  const comm = existsSync(`/proc/${pid}/comm`) ? readFileSync(`/proc/${pid}/comm`, 'utf8').trim() : '';
  if (comm !== 'dovecot') return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
}

/**
 * Starts Dovecot (`dovecot -F -c <conf>`) for IMAP on 127.0.0.1:port, no TLS, with its config, maildirs
 * (`<dir>/mail/<user>`), state and log in `dir` (kept: a second start on the same folder finds the mail again).
 * As root, the mail belongs to `nobody`, which must be able to reach `dir` (see reachableDataDir); `dir` itself
 * is made enterable. `detached` puts Dovecot in a process group of its own, so a terminal's Ctrl-C does not reach
 * it before the apps that use it are stopped. Installed by `.ci/run` (dovecot-imapd).
 */
export async function startDovecotServer(opts: {
  dir: string;
  port: number;
  logins: DovecotLogins;
  detached?: boolean;
}): Promise<DovecotServer> {
  if (!hasDovecot()) throw new Error(`Dovecot is not installed. Install it with:\n  ${dovecotInstallHint()}`);
  const dir = resolve(opts.dir);
  const a = dovecotAccounts();
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  // Unix socket paths are limited to 108 bytes: a deep data folder keeps its sockets in a short folder of /tmp.
  const baseDir =
    dir.length > 60
      ? join(tmpdir(), `kefu-dovecot-${createHash('sha256').update(dir).digest('hex').slice(0, 12)}`)
      : join(dir, 'run');
  await stopStaleMaster(baseDir);
  for (const sub of [baseDir, 'state', 'mail', 'home']) mkdirSync(resolve(dir, sub), { recursive: true });
  if (a.root) for (const sub of ['mail', 'home']) chownSync(join(dir, sub), a.mail.uid, a.mail.gid);
  const conf = join(dir, 'dovecot.conf');
  writeFileSync(conf, config(dir, baseDir, opts.port, a, opts.logins), { mode: 0o644 });

  const child = spawn(DOVECOT, ['-F', '-c', conf], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: opts.detached ?? false,
  });
  let output = '';
  child.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  const log = () => {
    const file = join(dir, 'dovecot.log');
    return output + (existsSync(file) ? readFileSync(file, 'utf8') : '');
  };
  const exited = new Promise<never>((_, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`it exited with code ${code}`)));
  });
  exited.catch(() => undefined);
  const waiting = new AbortController();
  try {
    await Promise.race([waitForImapGreeting(opts.port, 15_000, waiting.signal), exited]);
  } catch (err) {
    waiting.abort(); // the greeting loop stops retrying once Dovecot has exited
    // SIGTERM first: the master stops its children (SIGKILL would leave them behind).
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
      await gone;
      clearTimeout(kill);
    }
    const why = err instanceof Error ? err.message : String(err);
    // The line that names the cause (`bind(…) failed: Address already in use`, `chroot(…) failed: …`), else the last error.
    const errors = log()
      .split('\n')
      .filter((l) => /\b(Fatal|Error):/.test(l));
    const cause = (errors.find((l) => /\) failed: /.test(l)) ?? errors.pop())?.trim();
    // One line for the terminal; the whole story is in the log.
    throw new Error(
      `Dovecot did not start on 127.0.0.1:${opts.port}: ${why}${cause ? ` — ${cause}` : ''} (log: ${join(dir, 'dovecot.log')})`,
    );
  }
  // Ctrl-C may have reached the process group already: never wait for an exit that passed. The master's children
  // (imap, auth, log…) can outlive it by a moment: stop() returns once they are gone too (killed after 3 s).
  const stop = async () => {
    const children = child.pid ? childrenOf(child.pid) : [];
    await new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
    const until = Date.now() + 3000;
    let left = children.filter(running);
    while (left.length && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
      left = left.filter(running);
    }
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  };
  return { port: opts.port, conf, process: child, log, stop };
}

/** The processes whose parent is `pid` (Linux /proc), e.g. Dovecot's children of its master. */
function childrenOf(pid: number): number[] {
  try {
    return readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return Number(readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) === pid;
        } catch {
          return false; // gone meanwhile
        }
      })
      .map(Number);
  } catch {
    return []; // no /proc: the master's own exit is all we can wait for
  }
}

/** Still running (a zombie waiting to be reaped counts as gone). */
function running(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}
