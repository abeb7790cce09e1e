import type { EntityManager } from 'typeorm';
import { countTouched } from '@kefu/shared';

type Q = Pick<EntityManager, 'query'>;

/**
 * The purge's statements. Each works on one bounded batch chosen by key (LIMIT, SKIP LOCKED), so a batch is a short
 * transaction that waits on nobody; each re-checks its condition, so a rerun (or a run after a crash) removes only
 * what is still due, and a second run on the same day finds nothing.
 */

/** Lets this transaction (only) past the append-only triggers' DELETE refusal, within the rules' floor (migration Retention). */
export const allowPurgeSql = `SELECT set_config('kefu.retention_purge', 'on', true)`;

/** Web-form address usage not seen since the cutoff ($1). */
export const webIpUsageSql = `DELETE FROM web_ip_usage WHERE ip_hash IN (
    SELECT ip_hash FROM web_ip_usage WHERE updated_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)
  AND updated_at <= $1`;

/** The web form's hourly upload budgets of hours that ended at or before the cutoff ($1). */
export const webUploadUsageSql = `DELETE FROM web_upload_usage WHERE (hour, ip_hash) IN (
    SELECT hour, ip_hash FROM web_upload_usage WHERE hour + interval '1 hour' <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`;

/** Outbox rows relayed at or before the cutoff ($1); pending rows are never touched. */
export const relayedOutboxSql = `DELETE FROM outbox WHERE id IN (
    SELECT id FROM outbox WHERE relayed_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`;

/** Visit records (客户访问记录单) of visits made at or before the cutoff ($1). */
export const visitRecordsSql = `DELETE FROM visit_records WHERE id IN (
    SELECT id FROM visit_records WHERE visited_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`;

/** Visit plans of years that ended at or before the cutoff ($1, a day in the business time zone), with their visits. */
export const visitPlansSql = `DELETE FROM visit_plans WHERE id IN (
    SELECT id FROM visit_plans WHERE make_date(year + 1, 1, 1) <= $1::date LIMIT $2 FOR UPDATE SKIP LOCKED)`;

/** Filed reports whose period ended at or before the cutoff ($1, a day in the business time zone), with deliveries. */
export const filedReportsSql = `DELETE FROM reports WHERE id IN (
    SELECT id FROM reports WHERE period_end <= $1::date LIMIT $2 FOR UPDATE SKIP LOCKED)`;

/** Survey invitations of rounds whose month ended at or before the cutoff ($1, a day in the business time zone). */
export const surveyInvitationsBatchSql = `SELECT i.id
  FROM survey_invitations i JOIN survey_rounds r ON r.id = i.round_id
  WHERE (r.month + interval '1 month')::date <= $1::date
  LIMIT $2 FOR UPDATE OF i SKIP LOCKED`;

/** Survey rounds past the same cutoff ($1) with no invitation left. */
export const surveyRoundsSql = `DELETE FROM survey_rounds WHERE id IN (
    SELECT r.id FROM survey_rounds r WHERE (r.month + interval '1 month')::date <= $1::date
       AND NOT EXISTS (SELECT 1 FROM survey_invitations i WHERE i.round_id = r.id)
     LIMIT $2 FOR UPDATE SKIP LOCKED)`;

/** Estate-wide notices that finished (or, never sent, last changed) at or before the cutoff ($1); never one sending. */
export const endedNoticesBatchSql = `SELECT n.id FROM notices n
  WHERE n.status <> 'sending' AND COALESCE(n.finished_at, n.updated_at) <= $1
  LIMIT $2 FOR UPDATE OF n SKIP LOCKED`;

/**
 * Recordings past their period: the call at least RECORDING_MIN_KEEP_DAYS ago ($1), past the day the operator asked to
 * keep it to ($3, today in the business time zone), and its case finished (closed or rejected: a case still being
 * handled keeps its recording, 004 篇3 §4.5).
 */
export const callRecordingsSql = `UPDATE calls SET recording_ref = NULL, recording_purged_at = now() WHERE id IN (
    SELECT cl.id FROM calls cl JOIN cases c ON c.id = cl.case_id
     WHERE cl.recording_ref IS NOT NULL AND cl.started_at <= $1
       AND (cl.recording_keep_until IS NULL OR cl.recording_keep_until < $3::date)
       AND c.status IN ('closed', 'rejected')
     LIMIT $2 FOR UPDATE OF cl SKIP LOCKED)`;

/**
 * A batch of finished notifications about no case, asked for at or before the cutoff ($1). Leaves first: a
 * notification a fallback still points at waits until the fallback itself has gone (the next batch).
 */
export const caselessNotificationsBatchSql = `SELECT n.id FROM notifications n
  WHERE n.case_id IS NULL AND n.created_at <= $1 AND n.status NOT IN ('pending', 'sending')
    AND NOT EXISTS (SELECT 1 FROM notifications f WHERE f.fallback_of_id = n.id)
  LIMIT $2 FOR UPDATE OF n SKIP LOCKED`;

/** Intake items that joined no case: auto-replies, delivery reports, double deliveries ($1) and quarantined ones ($2). */
export const caselessIntakeBatchSql = `SELECT r.id FROM intake_records r
  WHERE r.case_id IS NULL AND (
        (r.outcome IN ('auto_reply', 'bounce', 'duplicate') AND r.received_at <= $1)
     OR (r.outcome = 'quarantined' AND r.received_at <= $2))
  LIMIT $3 FOR UPDATE OF r SKIP LOCKED`;

/**
 * Cases whose record period is over ($1): closed at or before it, or rejected (the time of the latest `reject` event)
 * at or before it. Locked, so a case is never purged while someone writes to it.
 */
export const endedCasesBatchSql = `SELECT c.id FROM cases c
  WHERE (c.status = 'closed' AND c.closed_at <= $1)
     OR (c.status = 'rejected' AND COALESCE(
          (SELECT max(e.occurred_at) FROM case_events e WHERE e.case_id = c.id AND e.kind = 'reject'), c.updated_at) <= $1)
  LIMIT $2 FOR UPDATE OF c SKIP LOCKED`;

/** Deletes notifications ($1) with their receipts and letters; fallbacks pointing at them are unlinked first. */
export async function deleteNotifications(m: Q, ids: string[], counts: Record<string, number>): Promise<void> {
  if (!ids.length) return;
  add(
    counts,
    'notification_receipts',
    await countTouched(m, `DELETE FROM notification_receipts WHERE notification_id = ANY($1::uuid[])`, [ids]),
  );
  add(counts, 'letters', await countTouched(m, `DELETE FROM letters WHERE notification_id = ANY($1::uuid[])`, [ids]));
  await m.query(`UPDATE notifications SET fallback_of_id = NULL WHERE fallback_of_id = ANY($1::uuid[])`, [ids]);
  add(counts, 'notifications', await countTouched(m, `DELETE FROM notifications WHERE id = ANY($1::uuid[])`, [ids]));
}

/** Deletes intake records ($1) with their attachments (raw mail goes with the row). */
export async function deleteIntakeRecords(m: Q, ids: string[], counts: Record<string, number>): Promise<void> {
  if (!ids.length) return;
  add(
    counts,
    'attachments',
    await countTouched(m, `DELETE FROM attachments WHERE intake_record_id = ANY($1::uuid[])`, [ids]),
  );
  add(counts, 'intake_records', await countTouched(m, `DELETE FROM intake_records WHERE id = ANY($1::uuid[])`, [ids]));
}

/** Deletes whole cases ($1) and everything filed with them, children first (most foreign keys are RESTRICT). */
export async function deleteCases(m: Q, ids: string[], counts: Record<string, number>): Promise<void> {
  if (!ids.length) return;
  const p = [ids];
  const nids = (
    await m.query<Array<{ id: string }>>(`SELECT id FROM notifications WHERE case_id = ANY($1::uuid[])`, p)
  ).map((r) => r.id);
  await deleteNotifications(m, nids, counts);
  add(counts, 'attachments', await countTouched(m, `DELETE FROM attachments WHERE case_id = ANY($1::uuid[])`, p));
  add(counts, 'calls', await countTouched(m, `DELETE FROM calls WHERE case_id = ANY($1::uuid[])`, p));
  const rids = (
    await m.query<Array<{ id: string }>>(`SELECT id FROM intake_records WHERE case_id = ANY($1::uuid[])`, p)
  ).map((r) => r.id);
  await deleteIntakeRecords(m, rids, counts);
  for (const table of ['reminders', 'case_deadlines', 'return_visits', 'sent_messages', 'case_events'] as const) {
    add(counts, table, await countTouched(m, `DELETE FROM ${table} WHERE case_id = ANY($1::uuid[])`, p));
  }
  add(
    counts,
    'case_links',
    await countTouched(
      m,
      `DELETE FROM case_links WHERE case_id = ANY($1::uuid[]) OR linked_case_id = ANY($1::uuid[])`,
      p,
    ),
  );
  add(counts, 'cases', await countTouched(m, `DELETE FROM cases WHERE id = ANY($1::uuid[])`, p));
}

/** Deletes survey invitations ($1) with their answers. */
export async function deleteSurveyInvitations(m: Q, ids: string[], counts: Record<string, number>): Promise<void> {
  const p = [ids];
  add(
    counts,
    'survey_answers',
    await countTouched(m, `DELETE FROM survey_answers WHERE invitation_id = ANY($1::uuid[])`, p),
  );
  add(
    counts,
    'survey_invitations',
    await countTouched(m, `DELETE FROM survey_invitations WHERE id = ANY($1::uuid[])`, p),
  );
}

/** Deletes notices ($1) with their recipient lists. */
export async function deleteNotices(m: Q, ids: string[], counts: Record<string, number>): Promise<void> {
  const p = [ids];
  add(
    counts,
    'notice_recipients',
    await countTouched(m, `DELETE FROM notice_recipients WHERE notice_id = ANY($1::uuid[])`, p),
  );
  add(counts, 'notices', await countTouched(m, `DELETE FROM notices WHERE id = ANY($1::uuid[])`, p));
}

export function add(counts: Record<string, number>, key: string, n: number): void {
  counts[key] = (counts[key] ?? 0) + n;
}
