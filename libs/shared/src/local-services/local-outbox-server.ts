import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalMail } from './local-mail';
import type { LocalDomesticSms } from './local-domestic-sms';
import { LOCAL_SMS_MAGIC_NUMBERS, type LocalSms } from './local-sms';

export interface LocalOutboxServer {
  /** LOCAL_PROVIDERS_URL for intake, which serves it to staff as /api/v1/local-outbox. */
  url: string;
  stop: () => Promise<void>;
}

const MAX_BODY = 64 * 1024;

/**
 * What owners and staff would have received from the local providers, for the console's 本地收件箱 page:
 * `GET /outbox` (SMS with their statuses, mail), `GET /outbox/mail/:id`, `POST /outbox/test-mail`.
 * Listens on 127.0.0.1 only and checks nobody: intake puts staff authentication in front of it.
 */
export async function startLocalOutboxServer(opts: {
  port?: number;
  sms?: LocalSms;
  /** The local Alibaba Cloud / Tencent Cloud SMS (+86 mobiles), listed with the Twilio gateway's messages. */
  domesticSms?: LocalDomesticSms;
  mail?: LocalMail;
  /** The test-mail form's default sender (a demo owner's address, so the acknowledgement lands in a mailbox). */
  testSender?: () => Promise<string | null>;
}): Promise<LocalOutboxServer> {
  const { sms, mail } = opts;
  const send = (res: ServerResponse, status: number, body: unknown) => {
    const json = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(json),
    });
    res.end(json);
  };
  const error = (res: ServerResponse, status: number, code: string, message: string) =>
    send(res, status, { error: { code, message } });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://local');
    if (req.method === 'GET' && u.pathname === '/outbox') {
      const limit = Math.min(Math.max(Number(u.searchParams.get('limit') ?? 100) || 100, 1), 500);
      return send(res, 200, {
        sms: [
          ...(sms?.list(limit) ?? []).map((m) => ({
            sid: m.sid,
            to: m.to,
            from: m.from ?? m.messagingServiceSid,
            body: m.body,
            segments: m.numSegments,
            status: m.status,
            createdAt: m.dateCreated.toISOString(),
            history: m.history.map((h) => ({ ...h, at: h.at.toISOString() })),
          })),
          ...(opts.domesticSms?.list(limit) ?? []).map((m) => ({
            sid: m.id,
            to: `+86${m.to}`,
            // Which provider and approved template carried it (阿里云短信 SMS_…, 腾讯云短信 19…).
            from: `${m.provider === 'aliyun' ? '阿里云短信' : '腾讯云短信'} ${m.template}`,
            body: m.text,
            segments: Math.ceil([...m.text].length / 67) || 1,
            status: m.status === 'sending' ? 'sent' : m.status === 'failed' ? 'undelivered' : 'delivered',
            createdAt: m.at.toISOString(),
            history: [{ status: m.status, at: m.at.toISOString(), ...(m.errCode ? { errorCode: m.errCode } : {}) }],
          })),
        ]
          .sort((x, y) => y.createdAt.localeCompare(x.createdAt))
          .slice(0, limit),
        mail: (mail?.list({ limit }) ?? []).map((e) => ({
          id: e.id,
          mailbox: e.mailbox,
          from: e.from,
          to: e.to,
          subject: e.subject,
          date: e.deliveredAt,
          preview: e.preview,
          dsn: e.isDsn,
        })),
        csAddress: mail?.csAddress ?? null,
        testSender: mail && opts.testSender ? await opts.testSender() : null,
        magicNumbers: LOCAL_SMS_MAGIC_NUMBERS.map(({ number, effect, effectZh }) => ({
          number,
          effect: { zh: effectZh, en: effect },
        })),
      });
    }
    const one = /^\/outbox\/mail\/([A-Za-z0-9._-]{1,200})$/.exec(u.pathname);
    if (req.method === 'GET' && one) {
      if (!mail) return error(res, 404, 'not_found', 'The local mail system is not running.');
      const m = await mail.message(one[1]!);
      return m
        ? send(res, 200, {
            id: m.id,
            mailbox: m.mailbox,
            from: m.from,
            to: m.to,
            subject: m.subject,
            date: m.deliveredAt,
            text: m.text,
          })
        : error(res, 404, 'not_found', `No local mail ${one[1]}.`);
    }
    if (req.method === 'POST' && u.pathname === '/outbox/test-mail') {
      if (!mail) return error(res, 404, 'not_found', 'The local mail system is not running.');
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const c of req) {
        size += (c as Buffer).length;
        if (size > MAX_BODY) return error(res, 413, 'too_large', `The test mail is over ${MAX_BODY / 1024} KiB.`);
        chunks.push(c as Buffer);
      }
      let body: { from?: unknown; subject?: unknown; text?: unknown };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
      } catch {
        return error(res, 400, 'validation_failed', 'The body is not JSON.');
      }
      const from = typeof body.from === 'string' ? body.from.trim() : '';
      const subject = typeof body.subject === 'string' ? body.subject.trim() : '';
      const text = typeof body.text === 'string' ? body.text : '';
      if (!/^[^\s@<>]+@[^\s@<>]+$/.test(from))
        return error(res, 400, 'validation_failed', 'from: an email address is needed.');
      if (!subject || subject.length > 200)
        return error(res, 400, 'validation_failed', 'subject: 1 to 200 characters are needed.');
      if (!text.trim() || text.length > 20_000)
        return error(res, 400, 'validation_failed', 'text: 1 to 20,000 characters are needed.');
      return send(res, 201, await mail.sendTestMail({ from, subject, text }));
    }
    error(res, 404, 'not_found', `No ${req.method} ${u.pathname} here.`);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) =>
      res.headersSent
        ? res.destroy()
        : error(res, 500, 'local_provider_error', err instanceof Error ? err.message : String(err)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
