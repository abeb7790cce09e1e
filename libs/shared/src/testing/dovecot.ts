import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImapFlow } from 'imapflow';
import { freePort } from '../local-services/free-port';
import { DOVEADM, startDovecotServer, withLocalImap, type DovecotServer } from '../local-services/dovecot-server';

export { hasDovecot } from '../local-services/dovecot-server';

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
  const user = opts.user ?? 'cs';
  const password = opts.password ?? randomBytes(8).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'kefu-dovecot-'));
  let server: DovecotServer;
  try {
    server = await startDovecotServer({ dir, port: await freePort(), logins: { users: { [user]: password } } });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const { port, conf, log } = server;
  const stop = async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };

  return {
    port,
    user,
    password,
    url: `imap://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    appendMessage: (folder, raw) =>
      withLocalImap(port, user, password, async (c) => {
        await ensureFolder(c, folder);
        const res = await c.append(folder, raw);
        if (!res || typeof res.uid !== 'number') throw new Error(`APPEND to ${folder} returned no UID`);
        return res.uid;
      }),
    appendMessages: (folder, raws) =>
      withLocalImap(port, user, password, async (c) => {
        await ensureFolder(c, folder);
        for (const raw of raws) await c.append(folder, raw);
      }),
    count: (folder) =>
      withLocalImap(port, user, password, async (c) => {
        if (folder.toUpperCase() !== 'INBOX' && !(await c.list()).some((m) => m.path === folder)) return 0;
        const status = await c.status(folder, { messages: true });
        return status ? (status.messages ?? 0) : 0;
      }),
    moveAll: (from, to) =>
      withLocalImap(port, user, password, async (c) => {
        await ensureFolder(c, to);
        await c.mailboxOpen(from);
        if ((c.mailbox ? c.mailbox.exists : 0) > 0) await c.messageMove('1:*', to, { uid: true });
      }),
    list: (folder) =>
      withLocalImap(port, user, password, async (c) => {
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
