import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the two domestic SMS fakes (aliyun-sms-gateway.ts, tencent-sms-gateway.ts) share: the message log, the
 * registered signature and templates (with their approved text, so a message reads as the owner gets it), the
 * provider's own per-number frequency limits, behaviours by number, and receipts pushed to the configured URL
 * (re-pushed, as the providers do, while the receiver does not acknowledge them).
 */
export interface DomesticMessage {
  provider: 'aliyun' | 'tencent';
  /** BizId (Alibaba Cloud) or SerialNo (Tencent Cloud). */
  id: string;
  /** The number as the API got it. */
  to: string;
  signName: string;
  template: string;
  params: string[];
  /** 【signature】 + the template with its parameters filled in. */
  text: string;
  /** OutId (Alibaba Cloud) or SessionContext (Tencent Cloud). */
  outId: string | null;
  at: Date;
  status: 'sending' | 'delivered' | 'failed';
  errCode: string | null;
}

export type DomesticBehaviour =
  /** The send is refused with this provider error code (e.g. isv.MOBILE_NUMBER_ILLEGAL). */
  | { kind: 'error'; code: string; message?: string }
  /** Accepted; the carrier's report says this (success, or a failure code such as MK:0001). */
  | { kind: 'report'; success: boolean; errCode?: string };

export interface RegisteredTemplate {
  /** The approved text, variables as ${name} (Alibaba Cloud) or {1}, {2} (Tencent Cloud). */
  text: string;
  /** Alibaba Cloud: the variable names; Tencent Cloud: the number of parameters. */
  params: string[] | number;
}

/** The providers' documented default frequency limits for one number and template. */
export const DEFAULT_PROVIDER_LIMITS: Array<{ count: number; seconds: number }> = [
  { count: 1, seconds: 60 },
  { count: 5, seconds: 3600 },
  { count: 10, seconds: 86_400 },
];

export abstract class DomesticSmsGateway {
  readonly messages: DomesticMessage[] = [];
  /** Receipt pushes: the body posted and the HTTP status the receiver answered. */
  readonly pushes: Array<{ body: unknown; status: number }> = [];
  /** API calls seen (action names), the bad-signature ones included. */
  readonly requests: Array<{ action: string; ok: boolean }> = [];
  readonly templates = new Map<string, RegisteredTemplate>();
  signNames = new Set<string>();
  /** Where receipts are pushed (the provider console's HTTP push URL); null: none. */
  receiptUrl: string | null = null;
  /** false: receipts are held until `report` is called (out-of-order and replay tests). */
  autoReport = true;
  /** Before each push (a carrier's answer takes a moment; 0 in tests). */
  reportDelayMs = 0;
  limits = DEFAULT_PROVIDER_LIMITS;
  now: () => Date = () => new Date();
  /** Run after a send is answered (tests simulate a crash there). */
  onSent: ((m: DomesticMessage) => void) | null = null;
  /** Run on every message and status change (the local gateway's log on disk). */
  onStatus: ((m: DomesticMessage) => void) | null = null;
  protected readonly byNumber = new Map<string, DomesticBehaviour>();
  // Messages per number, for the frequency limits (a benchmark sends thousands).
  private readonly sentTo = new Map<string, DomesticMessage[]>();
  /** The next n sends answer as a provider outage (HTTP 503 / InternalError). */
  outages = 0;
  /** The next n sends are taken (the SMS goes out) but the connection drops before the answer: a lost answer. */
  drops = 0;
  private pending = new Set<Promise<void>>();
  private server!: Server;
  url = '';

  abstract readonly provider: 'aliyun' | 'tencent';
  protected abstract handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> | void;
  /** The provider's receipt push body for these messages. */
  protected abstract receiptBody(ms: DomesticMessage[]): unknown;
  /** Whether the receiver's answer acknowledges the push. */
  protected abstract acknowledged(status: number, body: string): boolean;

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => void Promise.resolve(this.handle(req, Buffer.concat(chunks), res)).catch(() => res.end()));
    });
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', resolve);
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** The endpoint as the SDKs take it (host:port; the senders add the scheme). */
  get endpoint(): string {
    return this.url.replace(/^http:\/\//, '');
  }

  async stop(): Promise<void> {
    await this.settled();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  behave(to: string, b: DomesticBehaviour): void {
    this.byNumber.set(to, b);
  }

  async settled(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  reset(): void {
    this.messages.length = 0;
    this.sentTo.clear();
    this.pushes.length = 0;
    this.requests.length = 0;
    this.byNumber.clear();
    this.autoReport = true;
    this.outages = 0;
    this.drops = 0;
    this.onSent = null;
  }

  /** Registered text with the parameters filled in, or the provider's error code for what does not match. */
  protected render(
    signName: string,
    code: string,
    params: string[] | Record<string, string>,
  ): { text: string; params: string[] } | { error: 'sign' | 'template' | 'params' | 'length' } {
    if (!this.signNames.has(signName)) return { error: 'sign' };
    const t = this.templates.get(code);
    if (!t) return { error: 'template' };
    let text = t.text;
    const values: string[] = [];
    if (Array.isArray(params)) {
      if (typeof t.params !== 'number' || params.length !== t.params) return { error: 'params' };
      params.forEach((v, i) => (text = text.replaceAll(`{${i + 1}}`, v)));
      values.push(...params);
    } else {
      const names = t.params as string[];
      if (names.some((n) => typeof params[n] !== 'string')) return { error: 'params' };
      for (const n of names) text = text.replaceAll(`\${${n}}`, params[n]!);
      values.push(...names.map((n) => params[n]!));
    }
    if (values.some((v) => [...v].length > 35)) return { error: 'length' };
    return { text: `【${signName}】${text}`, params: values };
  }

  /** Over the provider's own per-number, per-template limits (a well-behaved client never hits this). */
  protected overLimit(to: string, template: string): boolean {
    const now = this.now().getTime();
    const mine = (this.sentTo.get(to) ?? []).filter((m) => m.template === template);
    return this.limits.some((l) => mine.filter((m) => now - m.at.getTime() < l.seconds * 1000).length >= l.count);
  }

  protected accepted(m: DomesticMessage): void {
    this.messages.push(m);
    this.sentTo.set(m.to, [...(this.sentTo.get(m.to) ?? []), m]);
    this.onStatus?.(m);
    this.onSent?.(m);
    if (this.autoReport) this.track(this.later(m));
  }

  private async later(m: DomesticMessage): Promise<void> {
    await new Promise((r) => setTimeout(r, this.reportDelayMs));
    await this.report(m);
  }

  /** Pushes the carrier's report for a message (what its behaviour says), to the receipt URL, up to 5 times. */
  async report(m: DomesticMessage, replay = false): Promise<void> {
    const b = this.byNumber.get(m.to);
    if (!replay) {
      const ok = b?.kind !== 'report' || b.success;
      m.status = ok ? 'delivered' : 'failed';
      m.errCode = ok ? 'DELIVERED' : (b?.kind === 'report' && b.errCode) || 'MK:0001';
      this.onStatus?.(m);
    }
    if (!this.receiptUrl) return;
    const body = this.receiptBody([m]);
    for (let i = 0; i < 5; i++) {
      let status = 0;
      let text = '';
      try {
        const r = await fetch(this.receiptUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        status = r.status;
        text = await r.text();
      } catch {
        status = 0;
      }
      this.pushes.push({ body, status });
      if (this.acknowledged(status, text)) return;
      await new Promise((r) => setTimeout(r, 100 * 2 ** i));
    }
  }

  protected track(p: Promise<void>): void {
    const t = p.catch(() => undefined).finally(() => this.pending.delete(t));
    this.pending.add(t);
  }

  /** True when this send's answer is to be lost (see `drops`): the connection is dropped instead. */
  protected dropAnswer(res: ServerResponse): boolean {
    if (this.drops <= 0) return false;
    this.drops--;
    res.socket?.destroy();
    return true;
  }

  protected json(res: ServerResponse, status: number, body: unknown): void {
    const s = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', 'content-length': Buffer.byteLength(s) });
    res.end(s);
  }
}
