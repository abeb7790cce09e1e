import { Logger } from '@nestjs/common';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { uidSet, type FetchedRaw, type MailboxClient, type MailboxConnector, type OpenFolder } from './mailbox-client';

export interface ImapSettings {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string;
  tlsVerify: boolean;
}

/** imap://user:password@host:port (imaps:// for TLS; 143 and 993 by default). */
export function imapSettings(url: string, tlsVerify: boolean): ImapSettings {
  const u = new URL(url);
  const secure = u.protocol === 'imaps:';
  return {
    host: u.hostname,
    port: Number(u.port || (secure ? 993 : 143)),
    secure,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    tlsVerify,
  };
}

const logger = new Logger('ImapFlow');
// ImapFlow logs structured objects; only its warnings and errors are worth our log.
const imapLog = {
  debug: () => undefined,
  info: () => undefined,
  warn: (o: unknown) => logger.warn(o),
  error: (o: unknown) => logger.error(o),
};

/** Adapter around one ImapFlow connection. ImapFlow does not reconnect: after a close, connect anew. */
class ImapMailboxClient implements MailboxClient {
  constructor(private readonly flow: ImapFlow) {}

  async open(folder: string, opts: { readOnly?: boolean } = {}): Promise<OpenFolder> {
    const box = await this.flow.mailboxOpen(folder, { readOnly: opts.readOnly ?? false });
    return { uidValidity: box.uidValidity.toString(), uidNext: box.uidNext, exists: box.exists };
  }

  async ensureFolders(folders: string[]): Promise<void> {
    const existing = new Set((await this.flow.list()).map((m) => m.path));
    for (const folder of folders)
      if (folder.toUpperCase() !== 'INBOX' && !existing.has(folder)) await this.flow.mailboxCreate(folder);
  }

  async uids(): Promise<number[]> {
    const found = await this.flow.search({ all: true }, { uid: true });
    return (Array.isArray(found) ? found : []).sort((a, b) => a - b);
  }

  async sizes(uids: number[]): Promise<Map<number, number>> {
    if (uids.length === 0) return new Map();
    const rows = await this.flow.fetchAll(uidSet(uids), { uid: true, size: true }, { uid: true });
    return new Map(rows.map((r) => [r.uid, r.size ?? 0]));
  }

  async fetch(uids: number[], opts: { maxBytes?: number } = {}): Promise<FetchedRaw[]> {
    if (uids.length === 0) return [];
    // fetchAll collects every response before it resolves: no other command runs inside the FETCH.
    const rows = await this.flow.fetchAll(
      uidSet(uids),
      { uid: true, size: true, internalDate: true, source: opts.maxBytes ? { maxLength: opts.maxBytes } : true },
      { uid: true },
    );
    return rows.map((r) => ({
      uid: r.uid,
      size: r.size ?? r.source?.length ?? 0,
      internalDate: r.internalDate instanceof Date ? r.internalDate : r.internalDate ? new Date(r.internalDate) : null,
      source: r.source ?? Buffer.alloc(0),
    }));
  }

  async move(uids: number[], folder: string): Promise<void> {
    if (uids.length === 0) return;
    const moved = await this.flow.messageMove(uidSet(uids), folder, { uid: true });
    if (moved === false) throw new Error(`MOVE to ${folder} was refused`);
  }

  onNewMail(listener: () => void): void {
    // EXISTS also follows our own MOVEs out of the folder; only growth is new mail.
    this.flow.on('exists', (e: { count: number; prevCount: number }) => {
      if (e.count > e.prevCount) listener();
    });
  }

  onClose(listener: () => void): void {
    this.flow.once('close', () => listener());
  }

  async logout(): Promise<void> {
    try {
      await this.flow.logout();
    } catch {
      this.flow.close();
    }
  }
}

export class ImapMailboxConnector implements MailboxConnector {
  constructor(private readonly settings: ImapSettings) {}

  async connect(opts: { idle?: boolean } = {}): Promise<MailboxClient> {
    const s = this.settings;
    const options: ImapFlowOptions = {
      host: s.host,
      port: s.port,
      secure: s.secure,
      auth: { user: s.user, pass: s.password },
      tls: { rejectUnauthorized: s.tlsVerify },
      logger: imapLog,
      clientInfo: { name: 'kefu-intake' },
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      // A watcher idles for minutes; a poller's commands answer in seconds (a big FETCH streams steadily).
      socketTimeout: opts.idle ? 10 * 60_000 : 120_000,
      disableAutoIdle: !opts.idle,
      ...(opts.idle ? { autoIdleDelay: 50, maxIdleTime: 4 * 60_000 } : {}),
    };
    const flow = new ImapFlow(options);
    // Without a listener an 'error' event would crash the process; the close that follows is what callers act on.
    flow.on('error', (err: Error) => logger.warn(`IMAP connection error: ${err.message}`));
    try {
      await flow.connect();
    } catch (err) {
      flow.close();
      throw err;
    }
    return new ImapMailboxClient(flow);
  }
}
