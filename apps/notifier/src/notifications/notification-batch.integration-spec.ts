import type { DataSource } from 'typeorm';
import { requestNotifications, type NotificationRequest } from '@kefu/shared';
import { factories } from '@kefu/shared/testing';
import { startNotifierTestEnv, tomorrowAt, type NotifierTestEnv } from '../testing/notifier-test-env';
import { NotificationReconciler } from './notification-reconciler.service';

describe('notifier: notifications asked for in one statement', () => {
  let env: NotifierTestEnv;
  let ds: DataSource;

  beforeAll(async () => {
    env = await startNotifierTestEnv();
    ds = env.db.dataSource;
    // Only the batch's job may get them sent: the send-due sweep (which finds any pending row) does nothing here.
    jest.spyOn(env.app.get(NotificationReconciler), 'sendDue').mockResolvedValue(0);
  });
  afterAll(async () => {
    await env?.close();
  });

  it('queues one job for the batch, and every notification of it is sent', async () => {
    env.clock.set(tomorrowAt());
    const owners = await Promise.all([1, 2, 3].map(() => factories.createOwner(ds)));
    const reqs: NotificationRequest[] = owners.map((o, i) => ({
      idempotencyKey: `batch-test:${o.id}`,
      kind: 'warranty_expiry',
      recipient: { ownerId: o.id },
      variables: {
        estateName: '碧海云天',
        unitLabel: `3栋2单元150${i}`,
        itemName: '屋面防水',
        expiresOn: '2027-01-31',
      },
    }));
    const ids = (await ds.transaction((m) => requestNotifications(m, reqs))).map((r) => r.id);

    const jobs = await ds.query<Array<{ job_name: string; payload: { notificationIds?: string[] } }>>(
      `SELECT job_name, payload FROM outbox WHERE payload->'notificationIds' ?| $1::text[] OR payload->>'notificationId' = ANY($1::text[])`,
      [ids],
    );
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.job_name).toBe('notifications-requested');
    expect([...jobs[0]!.payload.notificationIds!].sort()).toEqual([...ids].sort());

    for (const id of ids) await env.waitFor(id, ['sent', 'delivered']);
    expect(env.twilio.messages.map((m) => m.to).sort()).toEqual(owners.map((o) => `+86${o.mobiles[0]}`).sort());
  });
});
