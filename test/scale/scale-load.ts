import { requestNotifications, type NotificationRequest } from '@kefu/shared';
import { factories } from '@kefu/shared/testing';
import type { ScaleStack } from './scale-stack';
import { STAFF_PASSWORD } from './scale-stack';

export interface LoadSizes {
  hotline: number;
  web: number;
  cdr: number;
  notifications: number;
}

/** What a client does when a replica dies under it or the database restarts: tries the next one, for a while. */
const RETRY_FOR_MS = 240_000;
const pad = (n: number, w: number) => String(n).padStart(w, '0');

export class ScaleLoad {
  private token = '';
  private next = 0;
  retries = 0;

  constructor(private readonly stack: ScaleStack) {}

  /** A request to some intake replica (round robin); a refused connection or a 5xx goes to the next one. */
  async call(path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
    const deadline = Date.now() + RETRY_FOR_MS;
    for (;;) {
      const intakes = this.stack.of('intake');
      const target = intakes[this.next++ % intakes.length]!;
      let problem: string;
      try {
        const res = await fetch(`${target.url}${path}`, {
          ...init,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}`, ...init.headers },
          signal: AbortSignal.timeout(120_000),
        });
        const text = await res.text();
        const body: unknown = text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text;
        if (res.status < 500 && res.status !== 429) return { status: res.status, body };
        problem = `${res.status} ${text.slice(0, 200)}`;
      } catch (err) {
        problem = err instanceof Error ? err.message : String(err);
      }
      this.retries++;
      if (Date.now() > deadline) throw new Error(`${path}: still failing after ${RETRY_FOR_MS / 1000} s: ${problem}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  get accessToken(): string {
    return this.token;
  }

  async login(): Promise<void> {
    const r = await this.call('/api/v1/auth/login', {
      method: 'POST',
      body: JSON.stringify({ login: 'operator', password: STAFF_PASSWORD }),
    });
    this.token = (r.body as { accessToken: string }).accessToken;
    if (!this.token) throw new Error(`login failed: ${JSON.stringify(r.body)}`);
  }

  private expect(what: string, r: { status: number; body: unknown }, ok: number[]): void {
    if (!ok.includes(r.status)) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  }

  /** A hotline call logged by an operator, tagged #S-H<i>; a retry carries the same idempotency key. */
  async hotline(i: number): Promise<void> {
    const r = await this.call('/api/v1/hotline/calls', {
      method: 'POST',
      body: JSON.stringify({
        callerNumber: `139${pad(i, 8)}`,
        startedAt: new Date().toISOString(),
        durationSeconds: 90,
        summary: `3栋2单元1502 卫生间漏水，请派人查看 #S-H${i}#`,
        reporterName: '王先生',
        idempotencyKey: `scale-hotline-${pad(i, 6)}`,
      }),
    });
    this.expect(`hotline call ${i}`, r, [200, 201]);
  }

  /** A web form submission tagged #S-W<i>: its challenge is the submission key, so a retry is the same submission. */
  async web(i: number, projectId: string): Promise<void> {
    const c = await this.call('/api/v1/web-complaints/challenge');
    const challenge = (c.body as { challenge: string }).challenge;
    const r = await this.call('/api/v1/web-complaints', {
      method: 'POST',
      body: JSON.stringify({
        name: '李女士',
        mobile: `137${pad(i, 8)}`,
        email: '',
        projectId,
        unitText: '5栋1单元802',
        type: 'repair',
        description: `楼道灯坏了一个星期，请尽快维修 #S-W${i}#`,
        challenge,
        nonce: '',
      }),
    });
    this.expect(`web form ${i}`, r, [200, 201]);
  }

  /** Missed calls in Asterisk Master.csv, `count` lines from `from`; a re-import creates nothing twice. */
  async cdr(from: number, count: number): Promise<void> {
    const lines: string[] = [];
    for (let i = from; i < from + count; i++) {
      const src = `136${pad(i, 8)}`;
      lines.push(
        `"","${src}","8000","from-pstn","<${src}>","SIP/trunk-${pad(i, 8)}","","Dial","SIP/8001,30","2026-11-22 21:14:03","","2026-11-22 21:14:33",30,0,"NO ANSWER","DOCUMENTATION","scale.${i}"`,
      );
    }
    const r = await this.call('/api/v1/hotline/cdr-imports', {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: lines.join('\n'),
    });
    this.expect(`CDR import from ${from}`, r, [200]);
  }

  /** Notifications asked for as the scheduler asks on a heating-notice day: a thousand per statement. */
  async notifications(total: number): Promise<void> {
    // Owners of their own, by SMS: the demo estate's include the local gateway's magic (failing) numbers.
    const owners: Array<{ id: string }> = [];
    for (let i = 0; i < 400; i++)
      owners.push(
        await retryDb(() => factories.createOwner(this.stack.ds, { mobiles: [`135${pad(i, 8)}`], email: null })),
      );
    for (let start = 0; start < total; start += 1000) {
      const reqs: NotificationRequest[] = [];
      for (let i = start; i < Math.min(total, start + 1000); i++)
        reqs.push({
          idempotencyKey: `scale:${i}`,
          kind: 'warranty_expiry',
          recipient: { ownerId: owners[i % owners.length]!.id },
          variables: {
            estateName: '碧海云天',
            unitLabel: '3栋2单元1502',
            itemName: `部位${i}`,
            expiresOn: '2027-01-31',
          },
        });
      await retryDb(() => this.stack.ds.transaction((m) => requestNotifications(m, reqs)));
    }
  }

  /** Everything at once, `parallel` requests in flight. */
  async run(sizes: LoadSizes, projectId: string, parallel = 8): Promise<void> {
    await this.login();
    const tasks: Array<() => Promise<void>> = [];
    for (let i = 0; i < sizes.hotline; i++) tasks.push(() => this.hotline(i));
    for (let i = 0; i < sizes.web; i++) tasks.push(() => this.web(i, projectId));
    for (let i = 0; i < sizes.cdr; i += 50) tasks.push(() => this.cdr(i, Math.min(50, sizes.cdr - i)));
    // Mixed, as a busy day brings them (a fixed shuffle: the same order every run).
    let seed = 20;
    for (let i = tasks.length - 1; i > 0; i--) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const j = seed % (i + 1);
      [tasks[i], tasks[j]] = [tasks[j]!, tasks[i]!];
    }
    let k = 0;
    const worker = async () => {
      while (k < tasks.length) await tasks[k++]!();
    };
    await Promise.all([this.notifications(sizes.notifications), ...Array.from({ length: parallel }, worker)]);
  }
}

/** A statement of the harness's own, retried while Postgres restarts. */
export async function retryDb<T>(fn: () => Promise<T>, forMs = RETRY_FOR_MS): Promise<T> {
  const deadline = Date.now() + forMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
