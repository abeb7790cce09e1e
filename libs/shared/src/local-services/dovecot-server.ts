import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import type { RunAs } from './embedded-postgres';
import { dovecotConfig } from './dovecot-config';
import { waitForImapGreeting } from './local-imap';
import { alive, childrenOf, running } from './proc-tree';

export { isDovecotUsername } from './dovecot-config';
export { localImapClient, waitForImapGreeting, withLocalImap } from './local-imap';

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
  writeFileSync(conf, dovecotConfig(dir, baseDir, opts.port, a, opts.logins), { mode: 0o644 });

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
