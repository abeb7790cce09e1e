import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, QueueProducer, startRedisServer, type LocalRedis } from '@kefu/shared';
import { expectEventually, factories } from '@kefu/shared/testing';
import { startNotifierTestEnv, type NotifierTestEnv } from '../testing/notifier-test-env';

// Its own redis-server: the harness's Redis is shared by every test file and must not be restarted.
describe('notifier across a Redis restart', () => {
  let env: NotifierTestEnv;
  let redis: LocalRedis;
  let port: number;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kefu-notifier-redis-'));
    port = await freePort();
    redis = await startRedisServer({ port, dir, persistent: false });
    env = await startNotifierTestEnv({ REDIS_URL: redis.url });
  });
  afterAll(async () => {
    // Closing the app's queue connections needs a Redis to talk to, even when the test failed midway.
    if (redis.process.exitCode !== null || redis.process.signalCode !== null)
      redis = await startRedisServer({ port, dir, persistent: false });
    await env?.close();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends exactly one message per idempotency key: what was sent is not resent, what was asked while Redis was down goes once', async () => {
    const ds = env.db.dataSource;
    const owner = await factories.createOwner(ds);
    const vars = (itemName: string) => ({
      estateName: '碧海云天',
      unitLabel: '3栋2单元1502',
      itemName,
      expiresOn: '2027-01-31',
    });
    const a = await env.request({
      idempotencyKey: `restart:a:${owner.id}`,
      kind: 'warranty_expiry',
      recipient: { ownerId: owner.id },
      variables: vars('屋面防水'),
    });
    await env.waitFor(a, ['delivered']);

    await redis.stop();
    const b = await env.request({
      idempotencyKey: `restart:b:${owner.id}`,
      kind: 'warranty_expiry',
      recipient: { ownerId: owner.id },
      variables: vars('外墙'),
    });
    // Asked again by a producer retrying its own work: still one row.
    expect(
      await env.request({
        idempotencyKey: `restart:b:${owner.id}`,
        kind: 'warranty_expiry',
        recipient: { ownerId: owner.id },
        variables: vars('外墙'),
      }),
    ).toBe(b);
    // The relay tries (and fails) at least once while Redis is away.
    await new Promise((r) => setTimeout(r, 2500));
    const [o] = await ds.query<Array<{ relayed_at: Date | null }>>(
      `SELECT relayed_at FROM outbox WHERE payload->>'notificationId' = $1`,
      [b],
    );
    expect(o).toEqual({ relayed_at: null });
    expect((await env.row(b)).status).toBe('pending');

    // Redis comes back empty (no append-only file): every job it held is gone, and A's job is delivered again.
    redis = await startRedisServer({ port, dir, persistent: false });
    await env.waitFor(b, ['delivered'], 45_000);
    await expectEventually(() => env.app.get(QueueProducer).enqueue('notification-requested', { notificationId: a }), {
      timeoutMs: 20_000,
      intervalMs: 500,
    });
    await env.twilio.settled();
    await new Promise((r) => setTimeout(r, 500));
    const to = `+86${owner.mobiles[0]}`;
    expect(
      env.twilio.messages
        .filter((m) => m.to === to)
        .map((m) => (m.body.includes('屋面防水') ? 'a' : 'b'))
        .sort(),
    ).toEqual(['a', 'b']);
    expect(await env.row(a)).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(await env.row(b)).toMatchObject({ status: 'delivered', attempts: 1 });
  }, 120_000);
});
