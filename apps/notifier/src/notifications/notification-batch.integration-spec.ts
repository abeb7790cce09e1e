import type { DataSource } from 'typeorm';
import { requestNotifications, type NotificationRequest } from '@kefu/shared';
import { expectEventually, factories } from '@kefu/shared/testing';
import { startNotifierTestEnv, tomorrowAt, type NotifierTestEnv } from '../testing/notifier-test-env';
import { NotificationReconciler } from './notification-reconciler.service';
import { NotificationBatchSender } from './notification-batch-sender.service';
import { CLAIM_MANY_SQL } from './notification-dispatcher.sql';

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

describe('notifier: a batch sent in one job', () => {
  let env: NotifierTestEnv;
  let ds: DataSource;
  const item = (i: number) => ({
    estateName: '碧海云天',
    unitLabel: `5栋1单元${1000 + i}`,
    itemName: '外墙',
    expiresOn: '2027-01-31',
  });

  beforeAll(async () => {
    env = await startNotifierTestEnv();
    ds = env.db.dataSource;
    jest.spyOn(env.app.get(NotificationReconciler), 'sendDue').mockResolvedValue(0);
  });
  afterAll(async () => {
    await env?.close();
  });
  beforeEach(async () => {
    await env.twilio.settled();
    env.twilio.reset();
    env.clock.set(tomorrowAt());
  });

  async function batch(owners: Array<{ id: string }>, tag: string, notBefore?: Date) {
    const reqs: NotificationRequest[] = owners.map((o, i) => ({
      idempotencyKey: `batch-send:${tag}:${i}:${o.id}`,
      kind: 'warranty_expiry',
      recipient: { ownerId: o.id },
      variables: item(i),
      notBefore,
    }));
    return (await ds.transaction((m) => requestNotifications(m, reqs))).map((r) => r.id);
  }

  it('sends the common rows through the batch path and the rest through the single path, each exactly once', async () => {
    const owners = await Promise.all(Array.from({ length: 23 }, () => factories.createOwner(ds)));
    // One owner has opted out of SMS (email instead, still the batch path); one has no address at all (fails alone).
    await ds.query(`UPDATE owners SET opt_outs = '{sms}' WHERE id = $1`, [owners[0]!.id]);
    await ds.query(`UPDATE owners SET mobiles = '{}', email = NULL, postal_address = NULL WHERE id = $1`, [
      owners[1]!.id,
    ]);
    const batchSender = env.app.get(NotificationBatchSender);
    const spy = jest.spyOn(batchSender, 'processMany');
    const ids = await batch(owners, 'mixed');
    const rows = await Promise.all(ids.map((id, i) => env.waitFor(id, i === 1 ? ['failed'] : ['sent', 'delivered'])));
    // 23 ids: a job of 20 and a job of 3.
    expect(spy.mock.calls.map(([x]) => x.length).sort((a, b) => a - b)).toEqual([3, 20]);
    expect(rows[0]).toMatchObject({ channel: 'email', attempts: 1 });
    expect(rows[1]).toMatchObject({ status: 'failed', error_code: 'no_address' });
    expect(rows.filter((r) => r.channel === 'sms').every((r) => r.attempts === 1)).toBe(true);
    expect(env.twilio.messages).toHaveLength(21);
    expect(new Set(env.twilio.messages.map((m) => m.to)).size).toBe(21);
    for (const r of rows) if (r.channel === 'sms') expect(r.provider_id).toBeTruthy();
    const receipts = await ds.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM notification_receipts WHERE notification_id = ANY($1) AND status = 'sent' AND dedupe_key LIKE '%:sent:%'`,
      [ids],
    );
    expect(receipts[0]!.n).toBe(22);
    spy.mockRestore();
  });

  it('gives claimed rows it could not send in time back (attempt undone) for later jobs: still exactly once', async () => {
    const owners = await Promise.all(Array.from({ length: 5 }, () => factories.createOwner(ds)));
    const was = NotificationBatchSender.sendClaimedWithinMs;
    NotificationBatchSender.sendClaimedWithinMs = -1;
    try {
      const spy = jest.spyOn(env.app.get(NotificationBatchSender), 'processMany');
      const ids = await batch(owners, 'late');
      await expectEventually(async () => expect(await spy.mock.results[0]?.value).toEqual({ deferred: 5 }));
      const rows = await Promise.all(ids.map((id) => env.waitFor(id, ['sent', 'delivered'])));
      expect(rows.every((r) => r.attempts === 1)).toBe(true);
      expect(env.twilio.messages).toHaveLength(5);
      spy.mockRestore();
    } finally {
      NotificationBatchSender.sendClaimedWithinMs = was;
    }
  });

  it('claims many rows in one statement under the same per-number, same-text limit as one', async () => {
    const owner = await factories.createOwner(ds);
    // Not due for a day: the batch's job leaves them pending for this statement to claim.
    const later = new Date(env.clock.now().getTime() + 86_400_000);
    const ids = await batch(
      Array.from({ length: 5 }, () => owner),
      'limit',
      later,
    );
    await expectEventually(async () =>
      expect((await ds.query(`SELECT 1 FROM outbox WHERE relayed_at IS NULL`)).length).toBe(0),
    );
    // The same text to the same number five times: three claimed, two over the limit; a row not pending is left out.
    await ds.query(`UPDATE notifications SET status = 'cancelled' WHERE id = $1`, [ids[0]]);
    const now = env.clock.now();
    const rows = await ds.query<Array<{ id: string; attempts: number | null; sameText: number }>>(CLAIM_MANY_SQL, [
      ids,
      ids.map(() => 'sms'),
      ids.map(() => owner.mobiles[0]),
      ids.map(() => null),
      ids.map(() => '【客户服务部】同一条短信'),
      ids.map(() => null),
      ids.map(() => 1),
      now,
      3,
    ]);
    expect(rows).toHaveLength(4);
    expect(rows.map((r) => r.attempts)).toEqual([1, 1, 1, null]);
    expect(rows[3]!.sameText).toBe(3);
    const statuses = await ds.query<Array<{ status: string }>>(
      `SELECT status FROM notifications WHERE id = ANY($1) ORDER BY status`,
      [ids],
    );
    expect(statuses.map((s) => s.status)).toEqual(['cancelled', 'pending', 'sending', 'sending', 'sending']);
  });
});
