import type { Queue } from 'bullmq';
import type { Pool, PoolClient } from 'pg';

/**
 * The raw baseline: the rows a hotline case writes (intake record, number counter, case, created event,
 * call, the `case-received` outbox row, and the reporter's acknowledgement: a notification row and its
 * outbox row) in one plain pg transaction, then one BullMQ add — no Nest, no TypeORM, no matching, no
 * classification, no HTTP.
 */
export async function rawCaseWrite(pool: Pool, queue: Queue, i: number, summary: string): Promise<void> {
  const c = await pool.connect();
  let caseId: string;
  try {
    await c.query('BEGIN');
    const rec = await c.query<{ id: string }>(
      `INSERT INTO intake_records (channel, source, external_id, raw, received_at) VALUES ('hotline', 'raw', $1, $2, now()) RETURNING id`,
      [`raw-${i}`, JSON.stringify({ summary })],
    );
    const cs = await c.query<{ id: string }>(
      `INSERT INTO cases (number, type, channel, description, received_at, promised_reply_at, reporter_phone) VALUES ('RAW-PENDING-' || $1, 'complaint', 'hotline', $2, now(), now() + interval '1 day', '13800130001') RETURNING id`,
      [i, summary],
    );
    caseId = cs.rows[0]!.id;
    await c.query(`INSERT INTO case_events (case_id, kind, actor_label, details) VALUES ($1, 'created', 'raw', '{}')`, [
      caseId,
    ]);
    await c.query(
      `INSERT INTO calls (case_id, intake_record_id, caller_number, started_at, summary) VALUES ($1, $2, '13800130001', now(), $3)`,
      [caseId, rec.rows[0]!.id, summary],
    );
    await c.query(`UPDATE intake_records SET outcome = 'case_created', case_id = $2 WHERE id = $1`, [
      rec.rows[0]!.id,
      caseId,
    ]);
    await c.query(
      `INSERT INTO outbox (job_name, payload, dedupe_key, relayed_at) VALUES ('case-received', $1, $2, now())`,
      [JSON.stringify({ caseId }), `raw:${caseId}`],
    );
    const ack = await c.query<{ id: string }>(
      `INSERT INTO notifications (idempotency_key, kind, channel, recipient_type, case_id, source_type, source_id, variables)
       VALUES ('raw-ack:' || $1, 'case_acknowledgement', 'sms', 'case_reporter', $1::uuid, 'case', $1::uuid, '{}') RETURNING id`,
      [caseId],
    );
    await c.query(
      `INSERT INTO outbox (job_name, payload, dedupe_key, relayed_at) VALUES ('notification-requested', $1, $2, now())`,
      [JSON.stringify({ notificationId: ack.rows[0]!.id }), `raw-ack:${ack.rows[0]!.id}`],
    );
    // The number last, as Kefu does, so the counter row is locked only until the commit.
    await c.query(
      `WITH n AS (INSERT INTO case_number_counters (prefix, year, last_value) VALUES ('RAW', 2026, 1) ON CONFLICT (prefix, year) DO UPDATE SET last_value = case_number_counters.last_value + 1 RETURNING last_value)
       UPDATE cases SET number = 'RAW-2026-' || lpad(n.last_value::text, 5, '0') FROM n WHERE cases.id = $1`,
      [caseId],
    );
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK');
    throw err;
  } finally {
    c.release();
  }
  await queue.add('case-received', { caseId });
}

/** The raw baselines' transaction: one pooled client, BEGIN … COMMIT, ROLLBACK on error. */
export function poolTransaction(pool: Pool) {
  return async <T>(fn: (c: PoolClient) => Promise<T>): Promise<T> => {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      const r = await fn(c);
      await c.query('COMMIT');
      return r;
    } catch (err) {
      await c.query('ROLLBACK');
      throw err;
    } finally {
      c.release();
    }
  };
}
