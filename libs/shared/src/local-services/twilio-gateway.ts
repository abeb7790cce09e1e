import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { messageJson, smsSegments, statusCallbackParams, twilioError, twilioSignature } from './twilio-wire';

export { twilioSignature } from './twilio-wire';

/**
 * A local stand-in for Twilio's Programmable Messaging REST API, speaking its wire format (the real
 * `twilio` SDK sends to it through TWILIO_API_BASE_URL): the tests' fake Twilio and, with magic numbers
 * and a message log on disk, `npm start`'s local SMS gateway (local-sms.ts). The API:
 * `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` (form-encoded; 201 with the message JSON),
 * `GET …/Messages/{Sid}.json`, `GET …/Messages.json?To=&DateSent>=` (a page), error bodies
 * `{code, message, more_info, status}`, HTTP basic auth with the account SID and auth token. After a
 * create it POSTs status callbacks to the message's StatusCallback, form-encoded and signed with
 * X-Twilio-Signature exactly as Twilio signs them (HMAC-SHA1 of the URL + sorted key/values, base64).
 */
export interface GatewayMessage {
  sid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  status: string;
  statusCallback: string | null;
  dateCreated: Date;
  numSegments: number;
  /** Every status the message went through, with when (and Twilio's error code for undelivered/failed). */
  history: Array<{ status: string; at: Date; errorCode?: number }>;
}

export type Behaviour =
  | { kind: 'error'; status: number; code: number; message?: string }
  | { kind: 'callbacks'; statuses: Array<string | { status: string; errorCode: number }> };

export const TEST_ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
export const TEST_AUTH_TOKEN = 'fake-twilio-auth-token-0123456789';
export const TEST_MESSAGING_SERVICE_SID = `MG${'fedcba9876543210'.repeat(2)}`;

export class TwilioGateway {
  readonly messages: GatewayMessage[] = [];
  /** false: keep no message list (the benchmark); fetch and list then find nothing. */
  keep = true;
  /** Callbacks posted, with the HTTP status our webhook answered. */
  readonly callbacks: Array<{ url: string; params: Record<string, string>; status: number; at: number }> = [];
  /** Requests seen: method and path (to assert, e.g., that nothing was created twice). */
  readonly requests: Array<{ method: string; path: string }> = [];
  private readonly byNumber = new Map<string, Behaviour>();
  private queue: Array<{ status: number; code: number; message?: string }> = [];
  /** Creates whose answer is lost: the message is taken (and its callbacks posted) but the connection drops. */
  private drops = 0;
  defaultCallbacks: Behaviour & { kind: 'callbacks' } = { kind: 'callbacks', statuses: ['sent', 'delivered'] };
  /** Hook run after a create is answered (tests simulate a crash there). */
  onCreated: ((m: GatewayMessage) => void) | null = null;
  /** Hook run on every status a message takes, the first included (the local gateway's log on disk). */
  onStatus: ((m: GatewayMessage, status: GatewayMessage['history'][number]) => void) | null = null;
  /** Wait before each status callback, as a carrier's answer takes a moment (0 in tests). */
  callbackDelayMs = 0;
  /**
   * How long a create takes to answer, drawn evenly from [min, max] ms (a real provider answers in 100–300 ms). The
   * message exists from the start of the wait, as at a provider whose answer is slow to come back.
   */
  latencyMs: readonly [number, number] = [0, 0];
  private pendingCallbacks = new Set<Promise<void>>();
  private server!: Server;
  url = '';

  /** Twilio's clock for DateCreated (and the list API's DateSent filter); tests put it on the app's fake clock. */
  now: () => Date = () => new Date();

  constructor(
    readonly accountSid = TEST_ACCOUNT_SID,
    readonly authToken = TEST_AUTH_TOKEN,
  ) {}

  /** Listens on 127.0.0.1 (`port` 0: a free one). */
  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', resolve);
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await this.settled();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** How the fake treats messages to this number (E.164): an API error on create, or the callbacks it posts. */
  behave(to: string, b: Behaviour): void {
    this.byNumber.set(to, b);
  }

  /** The next `n` creates are taken but never answered: the connection drops, as when a provider's answer is lost. */
  dropNext(n: number): void {
    this.drops += n;
  }

  /** The next `n` creates fail with this HTTP status / Twilio code (429, 500: transient). */
  failNext(n: number, status: number, code = status === 429 ? 20429 : 20500): void {
    for (let i = 0; i < n; i++) this.queue.push({ status, code });
  }

  /** Waits until every status callback posted so far has been answered. */
  async settled(): Promise<void> {
    while (this.pendingCallbacks.size) await Promise.all([...this.pendingCallbacks]);
  }

  reset(): void {
    this.messages.length = 0;
    this.callbacks.length = 0;
    this.requests.length = 0;
    Object.assign(this.callbackStats, { ok: 0, failed: 0, first: 0, last: 0 });
    this.byNumber.clear();
    this.queue = [];
    this.drops = 0;
    this.onCreated = null;
    this.defaultCallbacks = { kind: 'callbacks', statuses: ['sent', 'delivered'] };
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    const json = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(json),
      'twilio-request-id': `RQ${randomBytes(16).toString('hex')}`,
    });
    res.end(json);
  }

  private error(res: ServerResponse, status: number, code: number, message: string): void {
    this.send(res, status, twilioError(status, code, message));
  }

  private json(m: GatewayMessage): Record<string, unknown> {
    return messageJson(this.accountSid, m);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const u = new URL(req.url ?? '/', 'http://x');
    if (this.keep) this.requests.push({ method: req.method ?? '', path: u.pathname });
    const auth = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
    if (auth !== `${this.accountSid}:${this.authToken}`)
      return this.error(res, 401, 20003, 'Authentication Error - invalid username');
    const base = `/2010-04-01/Accounts/${this.accountSid}/Messages`;
    if (req.method === 'POST' && u.pathname === `${base}.json`) {
      const p = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString()));
      const queued = this.queue.shift();
      if (queued)
        return this.error(
          res,
          queued.status,
          queued.code,
          queued.status === 429 ? 'Too Many Requests' : 'Internal Server Error',
        );
      if (!p.To || !p.Body) return this.error(res, 400, 21604, "A 'To' phone number is required.");
      if (!p.From && !p.MessagingServiceSid)
        return this.error(res, 400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required");
      const b = this.byNumber.get(p.To);
      if (b?.kind === 'error')
        return this.error(res, b.status, b.code, b.message ?? `The 'To' number ${p.To} is not a valid phone number.`);
      const m: GatewayMessage = {
        sid: `SM${randomBytes(16).toString('hex')}`,
        to: p.To,
        from: p.From ?? null,
        messagingServiceSid: p.MessagingServiceSid ?? null,
        body: p.Body,
        status: p.MessagingServiceSid ? 'accepted' : 'queued',
        statusCallback: p.StatusCallback ?? null,
        dateCreated: this.now(),
        history: [],
        numSegments: smsSegments(p.Body),
      };
      this.setStatus(m, m.status);
      if (this.keep) this.messages.push(m);
      const [min, max] = this.latencyMs;
      if (max > 0) await new Promise((r) => setTimeout(r, min + Math.random() * (max - min)));
      if (this.drops > 0) {
        this.drops--;
        req.socket.destroy();
      } else this.send(res, 201, this.json(m));
      this.onCreated?.(m);
      const statuses = (b?.kind === 'callbacks' ? b : this.defaultCallbacks).statuses;
      if (m.statusCallback && statuses.length) this.track(this.postCallbacks(m, statuses));
      return;
    }
    const one = new RegExp(`^${base}/(SM[0-9a-f]{32})\\.json$`).exec(u.pathname);
    if (req.method === 'GET' && one) {
      const m = this.messages.find((x) => x.sid === one[1]);
      return m
        ? this.send(res, 200, this.json(m))
        : this.error(res, 404, 20404, `The requested resource ${u.pathname} was not found`);
    }
    if (req.method === 'GET' && u.pathname === `${base}.json`) {
      const to = u.searchParams.get('To');
      const after = u.searchParams.get('DateSent>');
      // Newest first, a page at a time (PageSize ≤ 1000, Page from 0), next_page_uri while more remain — as Twilio.
      const pageSize = Math.min(1000, Math.max(1, Number(u.searchParams.get('PageSize') ?? 50)));
      const page = Math.max(0, Number(u.searchParams.get('Page') ?? 0));
      const all = this.messages
        .filter((m) => (!to || m.to === to) && (!after || m.dateCreated.getTime() >= new Date(after).getTime()))
        .reverse();
      const list = all.slice(page * pageSize, (page + 1) * pageSize);
      const pageUri = (n: number) => {
        const q = new URLSearchParams(u.searchParams);
        q.set('PageSize', String(pageSize));
        q.set('Page', String(n));
        if (n > 0) q.set('PageToken', `PA${n}`);
        else q.delete('PageToken');
        return `${base}.json?${q.toString()}`;
      };
      return this.send(res, 200, {
        end: page * pageSize + Math.max(0, list.length - 1),
        first_page_uri: pageUri(0),
        messages: list.map((m) => this.json(m)),
        next_page_uri: all.length > (page + 1) * pageSize ? pageUri(page + 1) : null,
        page,
        page_size: pageSize,
        previous_page_uri: page > 0 ? pageUri(page - 1) : null,
        start: page * pageSize,
        uri: `${base}.json${u.search}`,
      });
    }
    this.error(res, 404, 20404, `The requested resource ${u.pathname} was not found`);
  }

  private setStatus(m: GatewayMessage, status: string, errorCode?: number): void {
    m.status = status;
    const entry = { status, at: this.now(), ...(errorCode ? { errorCode } : {}) };
    if (this.keep) m.history.push(entry);
    this.onStatus?.(m, entry);
  }

  /** Callbacks answered 2xx, and when the first and last were answered (performance.now()). */
  readonly callbackStats = { ok: 0, failed: 0, first: 0, last: 0 };

  private noteCallback(c: { url: string; params: Record<string, string>; status: number; at: number }): void {
    if (this.keep) this.callbacks.push(c);
    const s = this.callbackStats;
    if (c.status >= 200 && c.status < 300) s.ok++;
    else s.failed++;
    if (!s.first) s.first = c.at;
    s.last = c.at;
  }

  private track(p: Promise<void>): void {
    this.pendingCallbacks.add(p);
    void p.finally(() => this.pendingCallbacks.delete(p));
  }

  private async postCallbacks(
    m: GatewayMessage,
    statuses: Behaviour & { kind: 'callbacks' } extends { statuses: infer S } ? S : never,
  ): Promise<void> {
    for (const s of statuses) {
      const status = typeof s === 'string' ? s : s.status;
      if (this.callbackDelayMs) await new Promise((r) => setTimeout(r, this.callbackDelayMs));
      this.setStatus(m, status, typeof s === 'string' ? undefined : s.errorCode);
      const params = statusCallbackParams(this.accountSid, m, status, typeof s === 'string' ? undefined : s.errorCode);
      await this.postSigned(m.statusCallback!, params);
    }
  }

  /** POSTs a form-encoded, signed callback the way Twilio does (also usable to replay or forge one in a test). */
  async postSigned(
    url: string,
    params: Record<string, string>,
    signature: string | null = twilioSignature(this.authToken, url, params),
  ): Promise<number> {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
          'user-agent': 'TwilioProxy/1.1',
          'i-twilio-idempotency-token': randomBytes(8).toString('hex'),
          ...(signature ? { 'x-twilio-signature': signature } : {}),
        },
        body: new URLSearchParams(params).toString(),
      });
      await res.arrayBuffer();
      this.noteCallback({ url, params, status: res.status, at: performance.now() });
      return res.status;
    } catch {
      this.noteCallback({ url, params, status: 0, at: performance.now() });
      return 0;
    }
  }
}
