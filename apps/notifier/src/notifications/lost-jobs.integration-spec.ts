import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { JobRouter, OutboxSweep, Queues, requestNotifications, type NotificationRequest } from '@kefu/shared';
import { expectEventually, factories } from '@kefu/shared/testing';
import { NotifierWorker } from '../jobs/notifier.worker';
import { startNotifierTestEnv, tomorrowAt, type NotifierTestEnv } from '../testing/notifier-test-env';
import { NotificationReconciler } from './notification-reconciler.service';

/**
 * Redis loses jobs the outbox relay had handed over (restarted without persistence, flushed): the work still gets
 * done, once. Here the notifier's queue is obliterated — waiting jobs and job schedulers alike — while its worker
 * is paused, as a Redis that came back empty would leave it.
 */
describe('notifier: jobs Redis lost after the relay handed them over', () => {
  let env: NotifierTestEnv;
  let ds: DataSource;
  let queue: Queue;

  beforeAll(async () => {
    env = await startNotifierTestEnv();
    ds = env.db.dataSource;
    queue = env.app.get<Queue>(getQueueToken(Queues.Notifier), { strict: false });
    // Only the lost-job sweeps may get them sent: the send-due sweep (which sends any pending row) does nothing here.
    jest.spyOn(env.app.get(NotificationReconciler), 'sendDue').mockResolvedValue(0);
    env.clock.set(tomorrowAt());
  });
  afterAll(async () => {
    env.app.get(NotifierWorker).worker.resume();
    await env?.close();
  });

  async function askWhileRedisLosesThem(tag: string): Promise<{ ids: string[]; mobiles: string[] }> {
    const owners = await Promise.all([1, 2, 3].map(() => factories.createOwner(ds)));
    const reqs: NotificationRequest[] = owners.map((o, i) => ({
      idempotencyKey: `lost:${tag}:${o.id}`,
      kind: 'warranty_expiry',
      recipient: { ownerId: o.id },
      variables: {
        estateName: '碧海云天',
        unitLabel: `3栋2单元150${i}`,
        itemName: '屋面防水',
        expiresOn: '2027-01-31',
      },
    }));
    await env.app.get(NotifierWorker).worker.pause();
    const ids = (await ds.transaction((m) => requestNotifications(m, reqs))).map((r) => r.id);
    await expectEventually(async () =>
      expect(
        await ds.query(`SELECT relayed_at IS NOT NULL AS relayed FROM outbox WHERE payload->'notificationIds' ?| $1`, [
          ids,
        ]),
      ).toEqual([{ relayed: true }]),
    );
    await queue.obliterate({ force: true });
    expect(await queue.getJobCounts('waiting', 'delayed', 'active')).toMatchObject({
      waiting: 0,
      delayed: 0,
      active: 0,
    });
    return { ids, mobiles: owners.map((o) => `+86${o.mobiles[0]}`) };
  }

  const sentTo = (mobiles: string[]) => env.twilio.messages.filter((m) => mobiles.includes(m.to)).length;

  it('queues a lost relayed job again under its own id, once however often the sweep runs, and it is sent once', async () => {
    const { ids, mobiles } = await askWhileRedisLosesThem('outbox');
    const sweep = env.app.get(OutboxSweep);
    const first = await sweep.sweepOnce(0);
    expect(first).toMatchObject({ requeued: 1 });
    // Not lost any more: a second pass (another replica, the next tick) leaves the waiting job alone.
    expect(await sweep.sweepOnce(0)).toMatchObject({ requeued: 0 });
    const [row] = await ds.query<Array<{ id: string; attempts: number }>>(
      `SELECT id, attempts FROM outbox WHERE payload->'notificationIds' ?| $1`,
      [ids],
    );
    expect(row!.attempts).toBe(2);
    expect((await queue.getJobs(['waiting'])).map((j) => j.id)).toEqual([`ob-${row!.id}`]);

    env.app.get(NotifierWorker).worker.resume();
    for (const id of ids) expect(await env.waitFor(id, ['sent', 'delivered'])).toMatchObject({ attempts: 1 });
    await env.twilio.settled();
    expect(sentTo(mobiles)).toBe(3);
    // The worker settled the row: the sweep no longer looks at it.
    await expectEventually(async () =>
      expect(await ds.query(`SELECT settled_at IS NOT NULL AS settled FROM outbox WHERE id = $1`, [row!.id])).toEqual([
        { settled: true },
      ]),
    );
    expect(await sweep.sweepOnce(0)).toMatchObject({ requeued: 0 });
    expect(sentTo(mobiles)).toBe(3);
  });

  it('requeues pending rows whose fanned-out jobs were lost, and restores the lost job schedulers', async () => {
    const { ids, mobiles } = await askWhileRedisLosesThem('fan-out');
    // As if the fan-out had run (its row settled) and then Redis lost the per-notification jobs.
    await ds.query(`UPDATE outbox SET settled_at = now() WHERE payload->'notificationIds' ?| $1`, [ids]);
    expect(await env.app.get(OutboxSweep).sweepOnce(0)).toMatchObject({ requeued: 0 });

    const reconciler = env.app.get(NotificationReconciler);
    // Not yet: a fresh row's own job may still be on its way.
    expect(await reconciler.requeueLost(100)).toBe(0);
    await ds.query(`UPDATE notifications SET updated_at = now() - interval '3 minutes' WHERE id = ANY($1)`, [ids]);
    env.clock.advance(3 * 60_000);
    expect(await reconciler.requeueLost(100)).toBe(3);
    expect(await reconciler.requeueLost(100)).toBe(3);
    expect(await queue.getJobCounts('waiting')).toMatchObject({ waiting: 3 });

    expect((await env.app.get(JobRouter).restoreSchedulers()).sort()).toEqual([
      'notice-sweep',
      'reconcile-sending',
      'requeue-lost',
      'send-due',
    ]);
    expect(await env.app.get(JobRouter).restoreSchedulers()).toEqual([]);

    env.app.get(NotifierWorker).worker.resume();
    for (const id of ids) expect(await env.waitFor(id, ['sent', 'delivered'])).toMatchObject({ attempts: 1 });
    await env.twilio.settled();
    expect(sentTo(mobiles)).toBe(3);
  });
});
