import type { EntityManager } from 'typeorm';
import type { AppConfig } from '../config';

/**
 * How long each kind of record is kept, and the rule it comes from (DOMAIN.md "Records"; seeds 002 §8, 004 篇2 §3.2,
 * 004 篇3 §4.5). The daily purge (apps/scheduler/src/retention) removes what is past its period; an owner's erasure
 * (apps/intake/src/privacy) keeps what is still within it and says so. Where the seeds are silent the choice is ours,
 * and `rule` says why.
 */
export interface RetentionPeriod {
  /** The period as SQL interval text, counted from `from`. */
  interval: string;
  from: string;
  rule: string;
  /** What happens when the period is over. */
  then: string;
}

/** The floor the append-only triggers enforce too (migration Retention): keep in step with it. */
export const CASE_RECORD_YEARS = 6;
/** Notifications about no case: the shortest period a notification is kept; the receipts trigger's floor. */
export const CASELESS_NOTIFICATION_YEARS = 2;
/** Auto-replies, delivery reports and double deliveries that joined no case. */
export const CASELESS_INTAKE_ITEM_DAYS = 90;

export type RetentionKind =
  | 'case_record'
  | 'call_recording'
  | 'caseless_notification'
  | 'caseless_intake_item'
  | 'quarantined_intake_item'
  | 'relayed_outbox'
  | 'web_ip_usage'
  | 'visit_record'
  | 'filed_report'
  | 'survey_record'
  | 'notice_record';

export function retentionPeriods(config: AppConfig): Record<RetentionKind, RetentionPeriod> {
  return {
    case_record: {
      interval: `${CASE_RECORD_YEARS} years`,
      from: 'the case closed (a rejected case: its rejection)',
      rule: '002 §8.1: the complaint form (投诉处理单) and register are kept 1 year by customer service, then 5 years in the archive; 004 篇2 §3.2 (2 years after closing) is shorter, so 6 years satisfies both. Everything filed with the case goes with it: timeline, calls, return visits, evidence and attachments, the items as received (raw mail — 002 second 程序 §8.1 keeps the written complaint with it), the messages about it (the written reply, 002 §7.4.1) with their receipts and letter PDFs',
      then: 'deleted, whole (the append-only triggers allow it to the purge only, past this floor)',
    },
    call_recording: {
      interval: `${config.RECORDING_MIN_KEEP_DAYS} days`,
      from: 'the call (or the later recordingKeepUntil the operator set)',
      rule: '004 篇3 §4.5: recordings kept at least 30 days (RECORDING_MIN_KEEP_DAYS), and kept while their case is unresolved (an unfinished special case keeps its recording)',
      then: 'the recording reference is dropped (calls.recording_ref, recording_purged_at set); the call row stays with its case',
    },
    caseless_notification: {
      interval: `${CASELESS_NOTIFICATION_YEARS} years`,
      from: 'the notification was asked for (finished ones only)',
      rule: 'seeds silent on notices (warranty, certificate) and staff reminders about no case: 004 篇3 §4.8.6 keeps the sign-off record with the notice, and we keep both for the 2 years of 002 §8.2, the period of the department’s non-complaint records',
      then: 'deleted with its receipts and letter (PDF)',
    },
    caseless_intake_item: {
      interval: `${CASELESS_INTAKE_ITEM_DAYS} days`,
      from: 'it was received',
      rule: 'seeds silent: auto-replies, delivery reports (already turned into receipts) and double deliveries that joined no case are no one’s complaint; 90 days leaves a quarter to look into a mail problem',
      then: 'deleted with its raw mail and attachments',
    },
    quarantined_intake_item: {
      interval: `${CASE_RECORD_YEARS} years`,
      from: 'it was received',
      rule: 'seeds silent; "nothing a customer sent may be lost" (DOMAIN.md): an item nobody could read may be a complaint, so it is kept as long as a complaint record',
      then: 'deleted with its raw mail and attachments',
    },
    relayed_outbox: {
      interval: `${config.RELAYED_OUTBOX_KEEP_DAYS} days`,
      from: 'it was relayed to Redis',
      rule: 'seeds silent: a relayed row has done its work (consumers are idempotent on their own keys); kept a week (RELAYED_OUTBOX_KEEP_DAYS) for troubleshooting',
      then: 'deleted',
    },
    web_ip_usage: {
      interval: '1 day',
      from: 'the address last used the web form',
      rule: 'seeds silent: the limit needs the last hour only, and intake itself sweeps rows an hour old (ip-limit.service.ts); the purge removes any a day old, left while intake was stopped (PIPL: no longer than needed)',
      then: 'deleted',
    },
    visit_record: {
      interval: '2 years',
      from: "the visit (a year's visit plan: the end of its year)",
      rule: '002 §8.2: the 客户访问记录单 is kept 2 years by customer service; the plan it was made under goes by the same period',
      then: 'deleted (a follow-up case stays, by its own period)',
    },
    filed_report: {
      interval: '2 years',
      from: 'the end of its period (business time zone)',
      rule: '002 §8.2: monthly and yearly complaint reports are kept 2 years; weekly and quarterly reports go by the same period',
      then: 'deleted with its documents (XLSX, PDF) and its delivery records',
    },
    survey_record: {
      interval: '2 years',
      from: "the end of the survey round's month",
      rule: 'seeds silent on survey records (001 §3, WHVK-QP-16-03): an answer is the owner’s visit by questionnaire, kept like the 客户访问记录单 (002 §8.2, 2 years); the figures made from it are monthly and yearly reports, also 2 years (002 §8.2), so a year’s figures can still be compared with the year before',
      then: 'the invitations with their answers deleted, then the empty round (a case opened from a low score stays, by its own period)',
    },
    notice_record: {
      interval: `${CASELESS_NOTIFICATION_YEARS} years`,
      from: 'the notice finished (done or cancelled; a draft never sent: its last change)',
      rule: '004 篇3 §4.8.6 keeps the sign-off record with the notice; seeds silent on how long, so the notice, its recipients (who was left out and why) and its messages go by the same 2 years as other notifications about no case (002 §8.2)',
      then: 'deleted with its recipient list (its messages and receipts go by the caseless-notification rule, no later)',
    },
  };
}

/** Runs `<UPDATE|DELETE …>` and answers how many rows it touched (`WITH d AS (… RETURNING 1) SELECT count(*)`). */
export async function countTouched(m: Pick<EntityManager, 'query'>, sql: string, params: unknown[]): Promise<number> {
  const [row] = await m.query<Array<{ n: number }>>(
    `WITH d AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM d`,
    params,
  );
  return row?.n ?? 0;
}
