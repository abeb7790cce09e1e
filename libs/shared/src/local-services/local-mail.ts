import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import nodemailer from 'nodemailer';
import type { SMTPServer, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { dovecotAccounts, isDovecotUsername, startDovecotServer, withLocalImap } from './dovecot-server';
import { reachableDataDir, SHARED_ROOT } from './embedded-postgres';
import { freePort } from './free-port';
import { buildDeliveryStatusNotification, rfc5322Date, type FailedRecipient } from './local-mail-dsn';
import { LocalMailStore, newLocalMailId, type LocalMailEntry, type LocalMailMessage } from './local-mail-store';

export type { LocalMailEntry, LocalMailMessage } from './local-mail-store';

export interface LocalMailOptions {
  /** Persistent data folder: mailboxes, the Local outbox index and the IMAP password are kept between runs. */
  dir: string;
  /** 0 = a free port. */
  imapPort: number;
  /** 0 = a free port. */
  smtpPort: number;
  /** Domain of the system mailboxes, e.g. `kefu.local`. */
  domain: string;
  /** Local parts of the customer-service and bounce addresses (default `kefu` and `bounces`). */
  csLocalPart?: string;
  bounceLocalPart?: string;
  /** Dovecot in a process group of its own (Ctrl-C in the terminal reaches only the apps). */
  detached?: boolean;
  /**
   * Whether an address (lower-cased) has a mailbox; an unknown one bounces with a DSN to the envelope sender.
   * Default: every address is known. The customer-service and bounce addresses always are. A rejection (say,
   * Postgres is down) answers the SMTP client 451, so it tries again later.
   */
  isKnownAddress?: (address: string) => Promise<boolean>;
  /** One line per delivery, bounce and failure (addresses included: local mail only). */
  onLog?: (line: string) => void;
}

export interface LocalMail {
  /** imap://user:password@127.0.0.1:port for MAILBOX_URL. */
  csMailboxUrl: string;
  /** imap://user:password@127.0.0.1:port for BOUNCE_MAILBOX_URL. */
  bounceMailboxUrl: string;
  /** smtp://127.0.0.1:port for SMTP_URL. */
  smtpUrl: string;
  /** e.g. kefu@kefu.local: EMAIL_FROM, EMAIL_REPLY_TO and where sendTestMail sends. */
  csAddress: string;
  /** e.g. bounces@kefu.local: EMAIL_RETURN_PATH (VERP `bounces+<id>@…` lands in the same mailbox). */
  bounceAddress: string;
  imapPort: number;
  smtpPort: number;
  /** The one IMAP password of every local mailbox (user = the address, lower-cased). */
  imapPassword: string;
  /** Newest first. */
  list: (opts?: { limit?: number }) => LocalMailEntry[];
  /** A delivered mail with its bytes and parsed text/HTML; null for an unknown id. */
  message: (id: string) => Promise<LocalMailMessage | null>;
  /** Sends a mail to the customer-service address through the local SMTP server; its Message-ID (no brackets). */
  sendTestMail: (mail: {
    from: string;
    subject: string;
    text: string;
    /** Message-ID (with or without brackets) this mail answers: set as In-Reply-To and References. */
    inReplyTo?: string;
  }) => Promise<{ messageId: string }>;
  /** Stops everything; `removeData` also deletes the mail (the data folder, and the mailboxes kept outside it). */
  stop: (opts?: { removeData?: boolean }) => Promise<void>;
}

const MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

type Route = { kind: 'deliver'; mailbox: string } | { kind: 'failed'; status: string; reply: string };

/** Generated on first start and kept, so URLs given to the apps stay valid across restarts. */
function imapPassword(dir: string): string {
  const file = join(dir, 'imap-password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(12).toString('hex');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/**
 * The local mail system for `npm start` without real providers: Dovecot serving one mailbox per address (the
 * customer-service and bounce mailboxes included), and an SMTP server on the `smtp-server` package that delivers
 * into it. A known recipient gets the mail in its INBOX (IMAP APPEND as that user, so IDLE clients see it at once)
 * with Return-Path, Delivered-To and Received added as an MTA would; an unknown one makes the mail come back to
 * its envelope sender as an RFC 3464 DSN (Status 5.1.1), never for a mail from the null sender.
 */
export async function startLocalMail(opts: LocalMailOptions): Promise<LocalMail> {
  // Loaded here, not at the top: smtp-server is a devDependency and the apps import this library in production.
  const { SMTPServer: Server } = await import('smtp-server');
  const dir = resolve(opts.dir);
  const domain = opts.domain.toLowerCase();
  const csAddress = `${opts.csLocalPart ?? 'kefu'}@${domain}`;
  const bounceAddress = `${opts.bounceLocalPart ?? 'bounces'}@${domain}`;
  const isKnown = opts.isKnownAddress ?? (() => Promise.resolve(true));
  const log = opts.onLog ?? (() => undefined);

  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const accounts = dovecotAccounts();
  // As root the mail belongs to `nobody`: our own data folder is made enterable (its contents stay private),
  // and in a checkout closed to other users the mailboxes live under SHARED_ROOT instead.
  if (accounts.root && statSync(dir).uid === userInfo().uid) chmodSync(dir, statSync(dir).mode | 0o111);
  const dovecotDir = reachableDataDir(join(dir, 'dovecot'), accounts.root ? accounts.mail : null);
  if (dovecotDir !== join(dir, 'dovecot')) {
    // Folders of our own under SHARED_ROOT: enterable whatever the umask.
    mkdirSync(dovecotDir, { recursive: true });
    for (const d of [SHARED_ROOT, dirname(dovecotDir)]) chmodSync(d, 0o755);
  }
  const password = imapPassword(dir);
  const store = new LocalMailStore(dir);
  const imapPort = opts.imapPort || (await freePort());
  const dovecot = await startDovecotServer({
    dir: dovecotDir,
    port: imapPort,
    logins: { password },
    detached: opts.detached,
  });

  async function route(recipient: string): Promise<Route> {
    const address = recipient.toLowerCase();
    const at = address.lastIndexOf('@');
    // Our own domain: `bounces+<notificationId>@…` (VERP) and any other tag land in the untagged mailbox.
    if (address.slice(at + 1) === domain) {
      const untagged = `${address.slice(0, at).split('+')[0]}@${domain}`;
      if (untagged === csAddress || untagged === bounceAddress) return { kind: 'deliver', mailbox: untagged };
    }
    if (at < 1 || !isDovecotUsername(address))
      return {
        kind: 'failed',
        status: '5.1.3',
        reply: `553 5.1.3 <${recipient}>: Recipient address rejected: bad address syntax`,
      };
    if (await isKnown(address)) return { kind: 'deliver', mailbox: address };
    return {
      kind: 'failed',
      status: '5.1.1',
      reply: `550 5.1.1 <${recipient}>: Recipient address rejected: User unknown in local recipient table`,
    };
  }

  // One delivery at a time per mailbox: a burst of notices stays under Dovecot's connections-per-user limit.
  const queues = new Map<string, Promise<unknown>>();
  function deliver(
    mailbox: string,
    recipient: string,
    envelopeFrom: string | null,
    raw: Buffer,
    trace: string,
    isDsn: boolean,
  ) {
    const id = newLocalMailId();
    const headers =
      `Return-Path: <${envelopeFrom ?? ''}>\r\n` +
      `Delivered-To: ${recipient}\r\n` +
      `Received: ${trace} id ${id}\r\n\tfor <${recipient}>; ${rfc5322Date(new Date())}\r\n`;
    const full = Buffer.concat([Buffer.from(headers, 'latin1'), raw]);
    const run = (queues.get(mailbox) ?? Promise.resolve())
      .catch(() => undefined)
      .then(async () => {
        await withLocalImap(imapPort, mailbox, password, (c) => c.append('INBOX', full));
        const entry = await store.add({ id, mailbox, recipient, envelopeFrom, isDsn }, full);
        log(
          `${isDsn ? 'bounce' : 'mail'} ${entry.messageId ?? id} from <${envelopeFrom ?? ''}> delivered to ${mailbox}`,
        );
        return entry;
      });
    queues.set(mailbox, run);
    return run;
  }

  async function accept(session: SMTPServerSession, raw: Buffer): Promise<void> {
    const arrivedAt = new Date();
    const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address || null : null;
    const trace = `from ${session.hostNameAppearsAs || 'unknown'} ([${session.remoteAddress}])\r\n\tby ${domain} (Kefu local mail) with ESMTP`;
    // Every recipient is looked up before anything is delivered: a failed lookup (451) then delivers nothing twice.
    const rcpts = session.envelope.rcptTo.map((r) => r.address);
    const routes = await Promise.all(rcpts.map((a) => route(a)));
    const failed: FailedRecipient[] = [];
    const deliveries: Promise<unknown>[] = [];
    routes.forEach((r, i) => {
      const address = rcpts[i]!;
      if (r.kind === 'deliver') deliveries.push(deliver(r.mailbox, address, envelopeFrom, raw, trace, false));
      else failed.push({ address, status: r.status, reply: r.reply });
    });
    await Promise.all(deliveries);
    if (!failed.length) return;
    // Never bounce a bounce: mail from the null sender that cannot be delivered is dropped.
    if (!envelopeFrom) return log(`undeliverable mail from <> to ${failed.map((f) => f.address).join(', ')} dropped`);
    const back = await route(envelopeFrom);
    if (back.kind !== 'deliver')
      return log(`bounce to <${envelopeFrom}> dropped: the sender has no mailbox here either`);
    const dsn = buildDeliveryStatusNotification({
      reportingMta: domain,
      sender: envelopeFrom,
      failed,
      original: raw,
      arrivedAt,
    });
    await deliver(back.mailbox, envelopeFrom, null, dsn.raw, `from localhost by ${domain} (Kefu local mail)`, true);
  }

  const smtp: SMTPServer = new Server({
    name: domain,
    banner: 'Kefu local mail',
    authOptional: true,
    // Credentials in SMTP_URL are accepted as they are: this server relays nothing, it only delivers locally.
    allowInsecureAuth: true,
    onAuth: (auth, _session, cb) => cb(null, { user: auth.username ?? 'local' }),
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    // A pooled client (the notifier) keeps its connections open: stop() does not wait for it to hang up.
    closeTimeout: 1000,
    logger: false,
    size: MAX_MESSAGE_BYTES,
    onData: (stream: SMTPServerDataStream, session, cb) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (stream.sizeExceeded) return cb(smtpError(552, '5.3.4 Message too big'));
        accept(session, Buffer.concat(chunks)).then(
          () => cb(),
          (err: unknown) => {
            log(`delivery failed: ${err instanceof Error ? err.message : String(err)}`);
            cb(smtpError(451, '4.3.0 Local delivery failed, try again later'));
          },
        );
      });
    },
  });
  smtp.on('error', (err) => log(`smtp: ${err.message}`));
  try {
    await new Promise<void>((ok, fail) => {
      smtp.server.once('error', fail);
      smtp.listen(opts.smtpPort, '127.0.0.1', () => ok());
    });
  } catch (err) {
    smtp.close(() => undefined);
    await dovecot.stop();
    const why = (err instanceof Error ? err.message : String(err)).replace(/^Error: /, '');
    throw new Error(`the local SMTP server could not listen on 127.0.0.1:${opts.smtpPort}: ${why}`);
  }
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  const smtpUrl = `smtp://127.0.0.1:${smtpPort}`;
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });
  const imapUrl = (address: string) => `imap://${encodeURIComponent(address)}:${password}@127.0.0.1:${imapPort}`;

  return {
    csMailboxUrl: imapUrl(csAddress),
    bounceMailboxUrl: imapUrl(bounceAddress),
    smtpUrl,
    csAddress,
    bounceAddress,
    imapPort,
    smtpPort,
    imapPassword: password,
    list: ({ limit = 100 } = {}) => store.list(limit),
    message: (id) => store.message(id),
    sendTestMail: async ({ from, subject, text, inReplyTo }) => {
      const parent = inReplyTo ? `<${inReplyTo.replace(/^<|>$/g, '')}>` : undefined;
      const info = await transport.sendMail({
        from,
        to: csAddress,
        subject,
        text,
        ...(parent ? { inReplyTo: parent, references: [parent] } : {}),
      });
      return { messageId: info.messageId.replace(/^<|>$/g, '') };
    },
    stop: async (o = {}) => {
      transport.close();
      await new Promise<void>((done) => smtp.close(() => done()));
      await Promise.all([...queues.values()].map((q) => q.catch(() => undefined)));
      await dovecot.stop();
      if (o.removeData) {
        rmSync(dir, { recursive: true, force: true });
        // As root in a closed checkout the mailboxes live in a folder of their own under SHARED_ROOT.
        if (dovecotDir !== join(dir, 'dovecot')) rmSync(dirname(dovecotDir), { recursive: true, force: true });
      }
    },
  };
}
