/**
 * npm run bench:scale — notifier sends/s with 1, 2 and 3 notifier processes (`node dist/apps/notifier/...`, as
 * deployed) against the local Twilio-speaking SMS gateway answering each message in 100–300 ms, as real providers
 * do. Each round is a fresh stack (Postgres, Redis, the gateway, n notifiers); BENCH_N notifications (default 3000)
 * are asked for in one go, as the warranty scan asks, and timed from the request to the last one sent. Prints each
 * rate and its ratio to one process. Uses the build in dist/ (npm run build first; BENCH_BUILD=1 builds).
 */
import 'reflect-metadata';
import { requestNotifications, type NotificationRequest } from '@kefu/shared';
import { factories } from '@kefu/shared/testing';
import { buildOnce, ScaleStack } from '../test/scale/scale-stack';

const N = Number(process.env.BENCH_N ?? 3000);
const LATENCY: [number, number] = [100, 300];
const out = (msg: string) => process.stdout.write(`${msg}\n`);

async function round(notifiers: number): Promise<{ rate: number; seconds: number; rss: number }> {
  const stack = new ScaleStack({ intake: 0, scheduler: 0, notifier: notifiers, smsLatencyMs: LATENCY });
  try {
    await stack.start();
    const owners: Array<{ id: string }> = [];
    for (let i = 0; i < 300; i++)
      owners.push(
        await factories.createOwner(stack.ds, { mobiles: [`135${String(i).padStart(8, '0')}`], email: null }),
      );
    // Let the demo estate's own queued messages go first: the round times ours alone.
    await waitFor(
      stack,
      `SELECT count(*)::int AS n FROM notifications WHERE status = 'pending' AND not_before <= now()`,
    );
    const reqs: NotificationRequest[] = Array.from({ length: N }, (_, i) => ({
      idempotencyKey: `bench-scale:${i}`,
      kind: 'warranty_expiry',
      recipient: { ownerId: owners[i % owners.length]!.id },
      variables: { estateName: '碧海云天', unitLabel: '3栋2单元1502', itemName: `部位${i}`, expiresOn: '2027-01-31' },
    }));
    const started = Date.now();
    for (let i = 0; i < N; i += 1000) {
      const chunk = reqs.slice(i, i + 1000);
      await stack.ds.transaction((m) => requestNotifications(m, chunk));
    }
    await waitFor(
      stack,
      `SELECT count(*)::int AS n FROM notifications WHERE idempotency_key LIKE 'bench-scale:%' AND status NOT IN ('sent', 'delivered')`,
    );
    const seconds = (Date.now() - started) / 1000;
    const sent = stack.sms.gateway.messages.filter((m) => /部位\d+/.test(m.body)).length;
    if (sent !== N) throw new Error(`the provider got ${sent} messages for ${N} notifications`);
    const rss = await peakRss(stack);
    return { rate: N / seconds, seconds, rss };
  } finally {
    await stack.stop();
  }
}

async function waitFor(stack: ScaleStack, sql: string, timeoutMs = 15 * 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [{ n }] = (await stack.ds.query<Array<{ n: number }>>(sql)) as [{ n: number }];
    if (n === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not done within ${timeoutMs / 1000} s: ${sql}`);
}

/** The notifiers' resident memory (MB, the largest), from /proc. */
async function peakRss(stack: ScaleStack): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  let max = 0;
  for (const app of stack.of('notifier')) {
    const status = await readFile(`/proc/${app.child?.pid}/status`, 'utf8').catch(() => '');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    max = Math.max(max, kb / 1024);
  }
  return Math.round(max);
}

async function main(): Promise<void> {
  if (process.env.BENCH_BUILD === '1') buildOnce();
  out(`bench:scale — ${N} SMS notifications, provider answering in ${LATENCY[0]}–${LATENCY[1]} ms per message`);
  const results: Array<{ n: number; rate: number; seconds: number; rss: number }> = [];
  for (const n of [1, 2, 3]) {
    const r = await round(n);
    results.push({ n, ...r });
    const ratio = r.rate / results[0]!.rate;
    out(
      `${n} notifier process${n > 1 ? 'es' : '  '}: ${r.rate.toFixed(1)} sends/s (${r.seconds.toFixed(1)} s; ×${ratio.toFixed(2)} of one; peak RSS ${r.rss} MB)`,
    );
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:scale failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
