import { createTestDatabase, factories, type TestDatabase } from '@kefu/shared/testing';
import { SAME_TEXT_PER_DAY } from './notification-send.rules';
import { CLAIM_SQL } from './notification-dispatcher.sql';

/**
 * The one-statement claim (notification_claim, migration NotificationClaim): the same-text limit holds across
 * concurrent claimers because the count is taken after the per-number lock, with a snapshot that sees what the lock's
 * previous holder committed; a held notice's row and a row no longer pending are not claimed.
 */
describe('notification_claim: pending → sending in one statement', () => {
  let db: TestDatabase;
  const to = '13800001111';
  const body = '【客户服务部】台风预警：请关好门窗。';
  const q = <T>(sql: string, params: unknown[] = []) => db.dataSource.query<T[]>(sql, params);
  let ownerId: string;
  const row = async (o: { sourceId?: string; status?: string } = {}) =>
    (
      await q<{ id: string }>(
        `INSERT INTO notifications (idempotency_key, kind, channel, recipient_type, owner_id, status, source_type, source_id)
         VALUES (gen_random_uuid()::text, 'estate_notice', 'sms', 'owner', $1, $2, $3, $4) RETURNING id`,
        [ownerId, o.status ?? 'pending', o.sourceId ? 'notice' : null, o.sourceId ?? null],
      )
    )[0]!.id;
  const claim = (id: string) =>
    db.dataSource.query<Array<{ attempts: number | null; sameText: number }>>(CLAIM_SQL, [
      id,
      'sms',
      to,
      null,
      body,
      null,
      1,
      new Date(),
      SAME_TEXT_PER_DAY,
    ]);

  beforeAll(async () => {
    db = await createTestDatabase();
    ownerId = (await factories.createOwner(db.dataSource)).id;
  });
  afterAll(() => db.drop());

  it('counts what the previous holder of the number’s lock committed: no fourth send of the same text', async () => {
    const sent = [await row(), await row(), await row()];
    const waiting = [await row(), await row()];
    // Another claimer holds the number's lock and is about to commit three sends of this text.
    const holder = db.dataSource.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    await holder.query(`SELECT pg_advisory_xact_lock(hashtextextended('kefu-sms:' || $1, 0))`, [to]);
    await holder.query(
      `UPDATE notifications SET status = 'sending', attempts = 1, to_address = $2, body = $3, sent_at = now()
        WHERE id = ANY($1::uuid[])`,
      [sent, to, body],
    );
    const claims = waiting.map(claim);
    // Both wait on the lock (their statements began before the holder's commit).
    for (let i = 0; i < 100; i++) {
      const [{ n }] = (await q<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`,
      )) as [{ n: number }];
      if (n === 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await holder.commitTransaction();
    await holder.release();
    const answers = (await Promise.all(claims)).map((r) => r[0]);
    expect(answers).toEqual([
      { attempts: null, sameText: 3 },
      { attempts: null, sameText: 3 },
    ]);
    expect(await q(`SELECT status FROM notifications WHERE id = ANY($1::uuid[])`, [waiting])).toEqual([
      { status: 'pending' },
      { status: 'pending' },
    ]);
  });

  it('finds the same text to a number by its index, however many other messages the number got that day', async () => {
    // A duty manager's number on a busy day: 3,000 reminders, each a different text.
    const busy = '13800002222';
    await q(
      `INSERT INTO notifications (idempotency_key, kind, channel, recipient_type, owner_id, status, attempts, to_address, body, sent_at)
       SELECT 'busy-' || i, 'estate_notice', 'sms', 'owner', $1, 'sent', 1, $2, '【客户服务部】提醒 ' || i, now() - make_interval(secs => i)
         FROM generate_series(1, 3000) i`,
      [ownerId, busy],
    );
    await q(`ANALYZE notifications`);
    const scans = async () =>
      (
        await q<{ n: string }>(
          `SELECT idx_scan AS n FROM pg_stat_user_indexes WHERE indexrelname = 'ix_notifications_sms_same_text'`,
        )
      )[0]?.n;
    const runner = db.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query(`SELECT pg_stat_clear_snapshot()`);
      const before = Number(await scans());
      const id = await row();
      const [answer] = (await runner.query(CLAIM_SQL, [
        id,
        'sms',
        busy,
        null,
        '【客户服务部】提醒 17',
        null,
        1,
        new Date(),
        SAME_TEXT_PER_DAY,
      ])) as Array<{ attempts: number | null; sameText: number }>;
      expect(answer).toEqual({ attempts: 1, sameText: 1 });
      // The claiming session's index counts reach the statistics when it next goes idle.
      await runner.query(`SELECT pg_stat_force_next_flush()`);
      let after = before;
      for (let i = 0; i < 50 && after === before; i++) {
        await new Promise((r) => setTimeout(r, 100));
        await q(`SELECT pg_stat_clear_snapshot()`);
        after = Number(await scans());
      }
      expect(after).toBeGreaterThan(before);
    } finally {
      await runner.release();
    }
  });

  it('claims a pending row once, with the rendered message; not a row of a paused notice, not twice', async () => {
    await q(`UPDATE notifications SET status = 'failed' WHERE to_address = $1`, [to]);
    const unit = await factories.createUnit(db.dataSource);
    const [notice] = await q<{ id: string }>(
      `INSERT INTO notices (project_id, kind, title, body, status) VALUES ($1, 'safety_alert', '台风', $2, 'paused') RETURNING id`,
      [unit.projectId, body],
    );
    const held = await row({ sourceId: notice!.id });
    expect(await claim(held)).toEqual([]);
    const free = await row();
    expect(await claim(free)).toEqual([{ attempts: 1, sameText: 0 }]);
    expect(await claim(free)).toEqual([]);
    expect(await q(`SELECT status, to_address, body, segments FROM notifications WHERE id = $1`, [free])).toEqual([
      { status: 'sending', to_address: to, body, segments: 1 },
    ]);
  });
});
