import { createTestDatabase, factories, type TestDatabase } from '../testing';
import { isForwardTransition } from './status';
import { requestNotification } from './request';
import { notificationVariables } from './variables';

describe('requestNotification', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('inserts one row and one outbox job per idempotency key, however often it is asked', async () => {
    const owner = await factories.createOwner(db.dataSource);
    const key = `test:${owner.id}`;
    const warranty = {
      estateName: '碧海云天',
      unitLabel: '3栋2单元1502',
      itemName: '屋面防水',
      expiresOn: '2027-01-31',
    };
    const ask = () =>
      db.dataSource.transaction((m) =>
        requestNotification(m, {
          idempotencyKey: key,
          kind: 'warranty_expiry',
          recipient: { ownerId: owner.id },
          channel: 'sms',
          variables: warranty,
        }),
      );
    const first = await ask();
    const [second, third] = await Promise.all([ask(), ask()]);
    expect(first.created).toBe(true);
    expect(second).toEqual({ id: first.id, created: false });
    expect(third).toEqual({ id: first.id, created: false });
    const rows = await db.dataSource.query(
      `SELECT recipient_type, owner_id, status, variables FROM notifications WHERE idempotency_key = $1`,
      [key],
    );
    expect(rows).toEqual([{ recipient_type: 'owner', owner_id: owner.id, status: 'pending', variables: warranty }]);
    const jobs = await db.dataSource.query(
      `SELECT payload FROM outbox WHERE job_name = 'notification-requested' AND payload->>'notificationId' = $1`,
      [first.id],
    );
    expect(jobs).toEqual([{ payload: { notificationId: first.id } }]);
  });

  it('addresses the reporter of a case and refuses a recipient that does not fit its type', async () => {
    const c = await factories.createCase(db.dataSource);
    const r = await db.dataSource.transaction((m) =>
      requestNotification(m, {
        idempotencyKey: `ack:${c.id}`,
        kind: 'case_acknowledgement',
        recipient: { caseReporterOf: c.id },
        variables: { caseNumber: 'KF-2026-00001', promisedReplyAt: '2026-11-25T10:00:00+08:00' },
      }),
    );
    const [row] = await db.dataSource.query(
      `SELECT recipient_type, case_id, channel FROM notifications WHERE id = $1`,
      [r.id],
    );
    expect(row).toEqual({ recipient_type: 'case_reporter', case_id: c.id, channel: null });
    await expect(
      db.dataSource.query(
        `INSERT INTO notifications (idempotency_key, kind, recipient_type) VALUES ('bad', 'case_reply', 'owner')`,
      ),
    ).rejects.toThrow(/ck_notifications_recipient/);
  });

  it('keeps receipts append-only', async () => {
    const owner = await factories.createOwner(db.dataSource);
    const r = await db.dataSource.transaction((m) =>
      requestNotification(m, {
        idempotencyKey: `rc:${owner.id}`,
        kind: 'case_reply',
        recipient: { ownerId: owner.id },
        variables: { caseNumber: 'KF-2026-00002', replyText: '已安排维修。' },
      }),
    );
    await db.dataSource.query(
      `INSERT INTO notification_receipts (notification_id, occurred_at, status, source) VALUES ($1, now(), 'sent', 'notifier')`,
      [r.id],
    );
    await expect(
      db.dataSource.query(`UPDATE notification_receipts SET status = 'delivered' WHERE notification_id = $1`, [r.id]),
    ).rejects.toThrow(/append-only/);
    await expect(
      db.dataSource.query(`DELETE FROM notification_receipts WHERE notification_id = $1`, [r.id]),
    ).rejects.toThrow(/append-only/);
  });
});

describe('notification variables', () => {
  it('names what a producer left out, so the notifier can fail the row with a reason', () => {
    const r = notificationVariables.staff_reminder.safeParse({
      caseNumber: 'KF-2026-00001',
      step: 'first_reply',
      dueAt: 'tomorrow',
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(
      expect.arrayContaining(['stepLabel', 'dueAt', 'overdue', 'ackUrl']),
    );
  });
});

describe('notification status transitions', () => {
  it('only moves forward, as callbacks arrive out of order', () => {
    expect(isForwardTransition('sent', 'delivered')).toBe(true);
    expect(isForwardTransition('delivered', 'sent')).toBe(false);
    expect(isForwardTransition('undelivered', 'delivered')).toBe(true);
    expect(isForwardTransition('delivered', 'undelivered')).toBe(false);
    expect(isForwardTransition('sent', 'signed_for')).toBe(true);
    expect(isForwardTransition('cancelled', 'sent')).toBe(false);
  });
});
