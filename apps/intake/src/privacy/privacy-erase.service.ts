import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  APP_CONFIG,
  AppException,
  CASE_RECORD_YEARS,
  CLOCK,
  countTouched,
  retentionPeriods,
  zonedParts,
  type AppConfig,
  type Clock,
} from '@kefu/shared';

type Q = Pick<EntityManager, 'query'>;

export interface ErasureItem {
  what: string;
  count: number;
}
export interface KeptItem extends ErasureItem {
  why: string;
}
export interface ErasureAnswer {
  requestId: string;
  ownerId: string;
  erasedAt: string;
  erased: ErasureItem[];
  kept: KeptItem[];
  /** What this request cannot find: records not matched to the owner. */
  notCovered: string[];
}

/** A mainland mobile or an email address inside free text: masked whoever's it is. */
const MOBILE_IN_TEXT = '1[3-9][0-9]{9}';
const EMAIL_IN_TEXT = '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}';
const MASK = '***';

/**
 * An owner's erasure on request (PIPL art. 47). Their contact details go everywhere we hold them; what the records
 * rules still require (libs/shared/src/retention) is kept — the cases and what is filed with them until 6 years after
 * closing, a call recording until its 30 days are over and its case finished, proof of delivery with its notice — but
 * stripped of contact details, with their name, numbers, email and address masked in the free text kept. One
 * transaction; the answer (also stored in privacy_requests) lists what was erased and what was kept and why.
 */
@Injectable()
export class PrivacyEraseService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  erase(ownerId: string, staffId: string): Promise<ErasureAnswer> {
    return this.ds.transaction(async (m) => {
      const [owner] = await m.query<
        Array<{ name: string; mobiles: string[]; email: string | null; postal_address: string | null; erased: boolean }>
      >(
        `SELECT name, mobiles, email, postal_address, erased_at IS NOT NULL AS erased FROM owners WHERE id = $1 FOR UPDATE`,
        [ownerId],
      );
      if (!owner) throw new AppException('not_found', 'No such owner');
      // Their own words, masked wherever they appear verbatim in text we keep (a one-character name would mask too much).
      const terms = owner.erased
        ? []
        : [owner.name, ...owner.mobiles, owner.email, owner.postal_address].filter(
            (t): t is string => !!t && t.length >= 2,
          );
      const mask = (col: string) => maskSql(col, terms.length);
      const p = (...rest: unknown[]) => [ownerId, ...rest, ...terms];
      const now = this.clock.now();
      const erased: ErasureItem[] = [];
      const kept: KeptItem[] = [];
      const count = (sql: string, params: unknown[]) => countTouched(m, sql, params);

      const cases = `SELECT id FROM cases WHERE owner_id = $1`;
      erased.push({
        what: "the reporter's name and contact on their cases; their name, numbers, email and address masked in each description",
        count: await count(
          `UPDATE cases SET reporter_name = NULL, reporter_contact = NULL, reporter_phone = NULL, reporter_email = NULL,
                  match_details = '{}', description = ${mask('description')}
            WHERE owner_id = $1 AND (reporter_name, reporter_contact, reporter_phone, reporter_email, match_details, description)
                  IS DISTINCT FROM (NULL, NULL, NULL, NULL, '{}'::jsonb, ${mask('description')})`,
          p(),
        ),
      });
      erased.push({
        what: 'the items as received on their cases (raw mail, form submissions): the case keeps what they said',
        count: await count(
          `UPDATE intake_records SET raw = NULL, raw_bytes = NULL WHERE case_id IN (${cases}) AND (raw IS NOT NULL OR raw_bytes IS NOT NULL)`,
          [ownerId],
        ),
      });
      erased.push({
        what: 'caller numbers of their calls; their details masked in the operators’ summaries',
        count: await count(
          `UPDATE calls SET caller_number = '${MASK}', caller_digits = NULL, summary = ${mask('summary')}
            WHERE case_id IN (${cases}) AND caller_number <> '${MASK}'`,
          p(),
        ),
      });
      const minKeep = retentionPeriods(this.config).call_recording.interval;
      const today = zonedParts(now, this.config.BUSINESS_TIME_ZONE).day;
      erased.push({
        what: 'call recordings past their period (30 days, case finished)',
        count: await count(
          `UPDATE calls cl SET recording_ref = NULL, recording_purged_at = $2
             FROM cases c WHERE c.id = cl.case_id AND c.owner_id = $1 AND cl.recording_ref IS NOT NULL
              AND cl.started_at <= $2::timestamptz - $3::interval AND (cl.recording_keep_until IS NULL OR cl.recording_keep_until < $4::date)
              AND c.status IN ('closed', 'rejected')`,
          [ownerId, now, minKeep, today],
        ),
      });
      await count(
        `UPDATE return_visits SET comments = ${mask('comments')} WHERE case_id IN (${cases}) AND comments IS NOT NULL`,
        p(),
      );
      erased.push({
        what: 'their name, numbers, email and address masked in the notes of visits made to them',
        count: await count(
          `UPDATE visit_records SET notes = ${mask('notes')} WHERE owner_id = $1 AND notes IS DISTINCT FROM ${mask('notes')}`,
          p(),
        ),
      });

      const theirs = `(owner_id = $1 OR (recipient_type = 'case_reporter' AND case_id IN (${cases})))`;
      erased.push({
        what: 'messages to them not yet sent (cancelled)',
        count: await count(
          `UPDATE notifications SET status = 'cancelled', updated_at = now() WHERE ${theirs} AND status = 'pending'`,
          [ownerId],
        ),
      });
      erased.push({
        what: 'addresses and template variables of every message to them; their details masked in the texts kept',
        count: await count(
          `UPDATE notifications SET to_address = NULL, variables = '{}', subject = ${mask('subject')}, body = ${mask('body')},
                  html = ${mask('html')}, updated_at = now()
            WHERE ${theirs} AND (to_address, variables, subject, body, html)
                  IS DISTINCT FROM (NULL, '{}'::jsonb, ${mask('subject')}, ${mask('body')}, ${mask('html')})`,
          p(),
        ),
      });
      erased.push({
        what: 'EMS letters to them: name, address, phone and the PDF (its SHA-256 stays, proving what was sent)',
        count: await count(
          `UPDATE letters SET recipient_name = '${MASK}', postal_address = '${MASK}', postcode = NULL, phone = NULL,
                  signer = CASE WHEN signer IS NULL THEN NULL ELSE '${MASK}' END, pdf = '', pdf_size = 0, updated_at = now()
            WHERE notification_id IN (SELECT id FROM notifications WHERE ${theirs}) AND recipient_name <> '${MASK}'`,
          [ownerId],
        ),
      });
      erased.push({
        what: 'their written comments in satisfaction surveys (the scores stay, without the comments, in the figures)',
        count: await count(
          `UPDATE survey_answers SET texts = '{}'::jsonb
            WHERE invitation_id IN (SELECT id FROM survey_invitations WHERE owner_id = $1) AND texts <> '{}'::jsonb`,
          [ownerId],
        ),
      });
      erased.push({
        what: 'the owner’s name, mobiles, email and postal address (nothing more is sent to them)',
        count: await count(
          `UPDATE owners SET name = '已删除', mobiles = '{}', email = NULL, postal_address = NULL, postcode = NULL,
                  opt_outs = '{sms,email,letter}', erased_at = COALESCE(erased_at, $2), updated_at = now()
            WHERE id = $1 AND erased_at IS NULL`,
          [ownerId, now],
        ),
      });

      kept.push(...(await this.kept(m, ownerId, cases, theirs)));
      const answer = { ownerId, erasedAt: now.toISOString(), erased, kept, notCovered: NOT_COVERED };
      const [req] = await m.query<Array<{ id: string }>>(
        `INSERT INTO privacy_requests (kind, owner_id, requested_by_id, result) VALUES ('erase', $1, $2, $3) RETURNING id`,
        [ownerId, staffId, answer],
      );
      return { requestId: req!.id, ...answer };
    });
  }

  private async kept(m: Q, ownerId: string, cases: string, theirs: string): Promise<KeptItem[]> {
    const n = async (sql: string) =>
      (await m.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM ${sql}`, [ownerId]))[0]!.n;
    return [
      {
        what: 'the owner row, anonymised (name 已删除, no contact details)',
        count: 1,
        why: 'the records kept below point at it; erased_at says it was erased',
      },
      {
        what: 'which units they owned and since when',
        count: await n(`owner_units WHERE owner_id = $1`),
        why: 'the unit’s sale and handover record, not the department’s to erase: warranty periods count from handover (000 §6.6.3)',
      },
      {
        what: 'their cases (type, category, status, dates, description with their details masked)',
        count: await n(`cases WHERE owner_id = $1`),
        why: `complaint records are kept 1 year by customer service and 5 more in the archive (002 §8.1): each goes ${CASE_RECORD_YEARS} years after closing, by the daily purge`,
      },
      {
        what: 'the timeline of those cases',
        count: await n(`case_events WHERE case_id IN (${cases})`),
        why: 'append-only audit trail of who did what and when (DOMAIN.md "Records"); it records staff actions, and goes with its case',
      },
      {
        what: 'evidence and attachments of those cases (photos, documents, signed forms)',
        count: await n(`attachments WHERE case_id IN (${cases})`),
        why: 'evidence is kept with the complaint (003 §8.1.4), for as long as the case record',
      },
      {
        what: 'call recordings still within their period',
        count: await n(`calls WHERE case_id IN (${cases}) AND recording_ref IS NOT NULL`),
        why: 'recordings are kept at least 30 days, and while their case is unresolved (004 篇3 §4.5); the purge drops each after that',
      },
      {
        what: 'messages sent to them: kind, status and times, without address',
        count: await n(`notifications WHERE ${theirs}`),
        why: 'the record that a notice or reply was given (002 §7.4.1, 004 篇3 §4.8.6): with its case, or 2 years for notices about no case',
      },
      {
        what: 'delivery receipts of those messages',
        count: await n(`notification_receipts WHERE notification_id IN (SELECT id FROM notifications WHERE ${theirs})`),
        why: 'append-only proof of delivery, kept with the notice it proves (004 篇3 §4.8.6); they go with it',
      },
      {
        what: 'records of visits made to them (when, how, topics, outcome; notes masked)',
        count: await n(`visit_records WHERE owner_id = $1`),
        why: 'the 客户访问记录单 is kept 2 years by customer service (002 §8.2); it records staff work',
      },
      {
        what: 'certificate collection notices to them',
        count: await n(`certificate_notices WHERE owner_id = $1`),
        why: 'the 办证 batch’s sign-off record (000 §6.2.2, 004 篇3 §4.8.6); it holds no contact detail',
      },
    ];
  }
}

const NOT_COVERED = [
  'cases not matched to this owner (reported anonymously or from another number or address) are not found by this request',
  'items that never became a case (quarantined mail) are not matched to owners; they go by the retention periods',
];

function maskSql(col: string, terms: number): string {
  let sql = `regexp_replace(regexp_replace(${col}, '${MOBILE_IN_TEXT}', '${MASK}', 'g'), '${EMAIL_IN_TEXT}', '${MASK}', 'g')`;
  // $1 is the owner id; the terms follow it.
  for (let i = 0; i < terms; i++) sql = `replace(${sql}, $${i + 2}, '${MASK}')`;
  return sql;
}
