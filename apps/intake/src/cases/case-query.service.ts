import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppException, AttachmentEntity, CallEntity, CaseEventEntity, IntakeRecordEntity } from '@kefu/shared';
import { maskText, maskValue, unitLabelSql } from '@kefu/shared';
import type { ListCasesQuery } from './case.dto';
import { availableTransitions, transitionLabel, type TransitionName } from './case-transitions';
import { caseWarrantySql, type CaseWarrantyFact } from './warranty/warranty-standing';

export interface CaseRow {
  id: string;
  number: string;
  type: string;
  category: string | null;
  severity: string;
  validity: string;
  channel: string;
  status: string;
  projectCode: string | null;
  projectName: string | null;
  unitLabel: string | null;
  ownerName: string | null;
  reporterName: string | null;
  /** The responsible person and department: routed at intake (the `routed` event says how), changed by `assign`. */
  assigneeId: string | null;
  assigneeName: string | null;
  departmentId: string | null;
  departmentName: string | null;
  escalationLevel: number;
  replyDateMoves: number;
  promisedReplyAt: string | null;
  overdue: boolean;
  receivedAt: string;
  summary: string;
}

/** The promised reply date has passed and the customer has not been answered yet. */
/** Overdue: the promised reply date has passed and the customer has had no reply (the queue's filter and the dashboard count alike; cases aliased `c`). */
export const OVERDUE = `(c.promised_reply_at < now() AND c.status IN ('new', 'accepted', 'assigned'))`;

const select = `
  SELECT c.id, c.number, c.type, c.category, c.severity, c.validity, c.channel, c.status, p.code AS "projectCode", p.name AS "projectName",
         CASE WHEN u.id IS NULL THEN NULL ELSE ${unitLabelSql('u', 'b')} END AS "unitLabel",
         o.name AS "ownerName", c.reporter_name AS "reporterName", c.assignee_id AS "assigneeId", s.name AS "assigneeName",
         c.department_id AS "departmentId", d.name AS "departmentName",
         c.escalation_level AS "escalationLevel", c.reply_date_moves AS "replyDateMoves", c.promised_reply_at AS "promisedReplyAt",
         ${OVERDUE} AS overdue,
         c.received_at AS "receivedAt", left(c.description, 120) AS summary
    FROM cases c
    LEFT JOIN projects p ON p.id = c.project_id
    LEFT JOIN units u ON u.id = c.unit_id
    LEFT JOIN buildings b ON b.id = u.building_id
    LEFT JOIN owners o ON o.id = c.owner_id
    LEFT JOIN staff s ON s.id = c.assignee_id
    LEFT JOIN departments d ON d.id = c.department_id`;

@Injectable()
export class CaseQueryService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async list(q: ListCasesQuery): Promise<{ items: CaseRow[]; total: number; page: number; pageSize: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (q.status) add((n) => `c.status = ANY(${n}::text[])`, q.status);
    if (q.channel) add((n) => `c.channel = ANY(${n}::text[])`, q.channel);
    if (q.type) add((n) => `c.type = ANY(${n}::text[])`, q.type);
    if (q.category) add((n) => `c.category = ANY(${n}::text[])`, q.category);
    if (q.projectId) add((n) => `c.project_id = ${n}`, q.projectId);
    if (q.assigneeId) add((n) => `c.assignee_id = ${n}`, q.assigneeId);
    if (q.departmentId) add((n) => `c.department_id = ${n}`, q.departmentId);
    if (q.overdue !== undefined) where.push(`${q.overdue ? '' : 'NOT '}${OVERDUE}`);
    if (q.q)
      add(
        (n) => `(c.number ILIKE ${n} OR c.description ILIKE ${n} OR c.reporter_name ILIKE ${n})`,
        `%${q.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`,
      );
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = (await this.ds.query<Array<{ total: number }>>(
      `SELECT count(*)::int AS total FROM cases c ${filter}`,
      params,
    )) as [{ total: number }];
    const items = await this.ds.query<CaseRow[]>(
      `${select} ${filter} ORDER BY c.received_at DESC, c.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, q.pageSize, (q.page - 1) * q.pageSize],
    );
    return { items, total, page: q.page, pageSize: q.pageSize };
  }

  async detail(id: string, opts: { withAssignTargets?: boolean } = { withAssignTargets: true }) {
    const [row] = await this.ds.query<CaseRow[]>(`${select} WHERE c.id = $1`, [id]);
    if (!row) throw new AppException('not_found', `No case ${id}.`);
    const full = (
      await this.ds.query<
        Array<{
          description: string;
          reporter_contact: string | null;
          match_status: string;
          match_details: unknown;
          classification_rules: string[];
          promised_reply_rule: string | null;
          warranty: CaseWarrantyFact | null;
          escalation_chain: Array<{ level: number; name: string }>;
        }>
      >(
        // The escalation chain's names (002 §7.3.2, escalation_levels): the case's level by name, and where it goes next.
        `SELECT description, reporter_contact, match_status, match_details, classification_rules, promised_reply_rule,
                ${caseWarrantySql('c')} AS warranty,
                (SELECT coalesce(jsonb_agg(jsonb_build_object('level', level, 'name', name) ORDER BY level), '[]')
                   FROM escalation_levels) AS escalation_chain
         FROM cases c WHERE id = $1`,
        [id],
      )
    )[0]!;
    const [events, calls, records, links, attachments, notifications, reminders] = await Promise.all([
      this.ds.getRepository(CaseEventEntity).find({ where: { caseId: id }, order: { occurredAt: 'ASC', id: 'ASC' } }),
      this.ds.getRepository(CallEntity).find({ where: { caseId: id }, order: { startedAt: 'ASC' } }),
      this.ds.getRepository(IntakeRecordEntity).find({
        where: { caseId: id },
        order: { receivedAt: 'ASC' },
        select: { id: true, channel: true, source: true, receivedAt: true, outcome: true, outcomeReason: true },
      }),
      this.ds.query<Array<{ case_id: string; number: string; score: number; direction: string }>>(
        `SELECT c.id AS case_id, c.number, l.score, 'earlier' AS direction FROM case_links l JOIN cases c ON c.id = l.linked_case_id WHERE l.case_id = $1
         UNION ALL
         SELECT c.id, c.number, l.score, 'later' FROM case_links l JOIN cases c ON c.id = l.case_id WHERE l.linked_case_id = $1`,
        [id],
      ),
      // Metadata only; bytes through attachment().
      this.ds.getRepository(AttachmentEntity).find({
        where: { caseId: id },
        order: { createdAt: 'ASC' },
        select: {
          id: true,
          role: true,
          filename: true,
          contentType: true,
          size: true,
          pageCount: true,
          intakeRecordId: true,
          createdAt: true,
        },
      }),
      this.caseNotifications(id),
      this.caseReminders(id),
    ]);
    const transitions: TransitionName[] = availableTransitions(row.status as never, row.type as never);
    const [names, assignTo] = await Promise.all([
      this.eventNames(events),
      opts.withAssignTargets && transitions.includes('assign') ? this.assignTargets() : Promise.resolve(null),
    ]);
    return {
      case: {
        ...row,
        description: full.description,
        reporterContact: full.reporter_contact,
        matchStatus: full.match_status,
        matchDetails: full.match_details,
        classificationRules: full.classification_rules,
        promisedReplyRule: full.promised_reply_rule,
        /** A repair's warranty standing (cases/warranty); null when it was not decided (not a repair at intake). */
        warranty: full.warranty,
        /** The case's level by its name on the chain (levels above a shortened chain's top are its top); null at 0. */
        /** True when phones and addresses are masked for the reader (an operator, `withoutContacts`). */
        contactsHidden: false,
        escalationLevelName:
          row.escalationLevel > 0
            ? (full.escalation_chain.filter((l) => l.level <= row.escalationLevel).at(-1)?.name ?? null)
            : null,
      },
      escalationChain: full.escalation_chain,
      availableTransitions: transitions.map((name) => ({ name, label: transitionLabel[name] })),
      events: events.map((e) => ({
        id: e.id,
        kind: e.kind,
        actor: e.actorLabel,
        actorId: e.actorId,
        at: e.occurredAt,
        details: e.details,
      })),
      calls,
      intakeRecords: records,
      possibleDuplicates: links.map((l) => ({
        caseId: l.case_id,
        number: l.number,
        score: l.score,
        direction: l.direction,
      })),
      attachments,
      notifications,
      reminders,
      /** Names of the departments and staff that events refer to by id (an assignment's target). */
      names,
      /** Whom the case may be assigned to, when it may be: for the console's assign form (cs_rep may not list staff). */
      assignTo,
    };
  }

  /**
   * Whether a hotline operator sees a case's contact details and attachments: for phone cases of the last 30 days
   * (the calls they and their colleagues take, the callbacks they owe). Mail, web, fax and suggestion-box cases and
   * older ones are the reps' work: operators see them with phones and addresses masked, and no attachments.
   */
  async operatorSeesContacts(caseId: string): Promise<boolean> {
    const [row] = await this.ds.query<Array<Pick<CaseRow, 'channel' | 'receivedAt'>>>(
      `SELECT channel, received_at AS "receivedAt" FROM cases WHERE id = $1`,
      [caseId],
    );
    return !!row && operatorSeesRow(row);
  }

  /** One attachment of a case, with its bytes. */
  async attachment(caseId: string, attachmentId: string): Promise<AttachmentEntity> {
    const a = await this.ds
      .getRepository(AttachmentEntity)
      .createQueryBuilder('a')
      .addSelect('a.data')
      .where('a.id = :attachmentId AND a.case_id = :caseId', { attachmentId, caseId })
      .getOne();
    if (!a) throw new AppException('not_found', `Case ${caseId} has no attachment ${attachmentId}.`);
    return a;
  }
  /** Department and staff names for the ids in events' details (assign: departmentId, assigneeId). */
  private async eventNames(events: CaseEventEntity[]): Promise<Record<string, string>> {
    const ids = new Set<string>();
    for (const e of events) {
      for (const key of ['departmentId', 'assigneeId'] as const) {
        const v = (e.details as Record<string, unknown> | null)?.[key];
        if (typeof v === 'string' && /^[0-9a-f-]{36}$/i.test(v)) ids.add(v);
      }
    }
    if (ids.size === 0) return {};
    const rows = await this.ds.query<Array<{ id: string; name: string }>>(
      `SELECT id, name FROM departments WHERE id = ANY($1::uuid[]) UNION ALL SELECT id, name FROM staff WHERE id = ANY($1::uuid[])`,
      [[...ids]],
    );
    return Object.fromEntries(rows.map((r) => [r.id, r.name]));
  }

  /** Departments and active staff (not admins or operators) a case may be assigned to. */
  private async assignTargets(): Promise<{
    departments: Array<{ id: string; name: string }>;
    staff: Array<{
      id: string;
      name: string;
      role: string;
      departmentId: string | null;
      departmentName: string | null;
    }>;
  }> {
    const [departments, staff] = await Promise.all([
      this.ds.query<Array<{ id: string; name: string }>>(`SELECT id, name FROM departments ORDER BY name, id`),
      this.ds.query<
        Array<{ id: string; name: string; role: string; departmentId: string | null; departmentName: string | null }>
      >(
        `SELECT s.id, s.name, s.role, s.department_id AS "departmentId", d.name AS "departmentName"
           FROM staff s LEFT JOIN departments d ON d.id = s.department_id
          WHERE s.active AND s.role NOT IN ('admin', 'operator') ORDER BY d.name NULLS LAST, s.name, s.id`,
      ),
    ]);
    return { departments, staff };
  }

  /**
   * The case's rows of the notifier's `notifications` table with their receipts and, for letters, the EMS
   * letter (waybill, sign-off). Read-only SQL on the shared database: intake never imports notifier code.
   * Recipients are owners' (or staff's) personal data and leave masked; the rendered text and variables
   * (which hold acknowledgement links) are not exposed at all.
   */
  private async caseNotifications(caseId: string): Promise<CaseNotification[]> {
    const rows = await this.ds.query<
      Array<
        Omit<CaseNotification, 'recipient' | 'receipts' | 'letter'> & {
          toAddress: string | null;
          staffName: string | null;
        }
      >
    >(
      `SELECT n.id, n.kind, n.channel, n.recipient_type AS "recipientType", n.to_address AS "toAddress", s.name AS "staffName", n.status, n.attempts,
              n.provider_id AS "providerId", n.error_code AS "errorCode", n.error_message AS "errorMessage", n.fallback_of_id AS "fallbackOfId",
              n.created_at AS "createdAt", n.sent_at AS "sentAt", n.delivered_at AS "deliveredAt"
         FROM notifications n LEFT JOIN staff s ON s.id = n.staff_id
        WHERE n.case_id = $1 ORDER BY n.created_at, n.id`,
      [caseId],
    );
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [receipts, letters] = await Promise.all([
      this.ds.query<
        Array<{
          notificationId: string;
          at: string;
          status: string;
          source: string;
          detail: string | null;
          providerId: string | null;
        }>
      >(
        `SELECT notification_id AS "notificationId", occurred_at AS at, status, source, detail,
                COALESCE(raw->>'MessageSid', raw->>'SmsSid', raw->>'messageId', raw->>'reportMessageId', raw->>'waybill') AS "providerId"
           FROM notification_receipts WHERE notification_id = ANY($1::uuid[]) ORDER BY occurred_at, id`,
        [ids],
      ),
      this.ds.query<Array<CaseNotificationLetter & { notificationId: string }>>(
        `SELECT notification_id AS "notificationId", reference, waybill, status, posted_at AS "postedAt", last_event_at AS "lastEventAt", signed_at AS "signedAt", signer
           FROM letters WHERE notification_id = ANY($1::uuid[])`,
        [ids],
      ),
    ]);
    return rows.map(({ toAddress, staffName, errorMessage, ...n }) => {
      const letter = letters.find((l) => l.notificationId === n.id);
      return {
        ...n,
        errorMessage: errorMessage === null ? null : maskText(errorMessage),
        recipient: { type: n.recipientType, name: staffName, address: maskRecipient(n.channel, toAddress) },
        receipts: receipts
          .filter((r) => r.notificationId === n.id)
          .map((r) => ({
            at: r.at,
            status: r.status,
            source: r.source,
            providerId: r.providerId,
            details: r.detail === null ? null : summary(maskText(r.detail)),
          })),
        letter: letter
          ? {
              reference: letter.reference,
              waybill: letter.waybill,
              status: letter.status,
              postedAt: letter.postedAt,
              lastEventAt: letter.lastEventAt,
              signedAt: letter.signedAt,
              signer: letter.signer,
            }
          : null,
      };
    });
  }

  /** The scheduler's reminders about this case's deadlines (read-only SQL): whom, when sent, who acknowledged, how far escalated. */
  private caseReminders(caseId: string): Promise<CaseReminder[]> {
    return this.ds.query<CaseReminder[]>(
      `SELECT r.id, d.step, d.round, d.due_at AS "dueAt", d.state AS "deadlineState", r.kind, r.level AS "escalationLevel", r.reason,
              r.send_at AS "sendAt", r.sent_at AS "sentAt", r.recipient_staff_id AS "recipientId", rs.name AS "recipientName",
              r.ack_due_at AS "ackDueAt", r.acknowledged_at AS "acknowledgedAt", r.acknowledged_by_id AS "acknowledgedById", ab.name AS "acknowledgedByName",
              r.acknowledged_via AS "acknowledgedVia", r.escalated_at AS "escalatedAt", r.cancelled_at AS "cancelledAt"
         FROM reminders r
         JOIN case_deadlines d ON d.id = r.deadline_id
         LEFT JOIN staff rs ON rs.id = r.recipient_staff_id
         LEFT JOIN staff ab ON ab.id = r.acknowledged_by_id
        WHERE r.case_id = $1
        ORDER BY COALESCE(r.sent_at, r.send_at), r.level, r.id`,
      [caseId],
    );
  }
}

export interface CaseNotificationLetter {
  reference: string;
  waybill: string | null;
  status: string;
  postedAt: string | null;
  lastEventAt: string | null;
  signedAt: string | null;
  /** Who signed for the letter, as EMS reported it. */
  signer: string | null;
}

export interface CaseNotification {
  id: string;
  kind: string;
  channel: string | null;
  recipientType: string;
  /** Masked: 138****1234, l***@example.com, the first characters of a postal address. */
  recipient: { type: string; name: string | null; address: string | null };
  status: string;
  attempts: number;
  providerId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  fallbackOfId: string | null;
  createdAt: string;
  sentAt: string | null;
  deliveredAt: string | null;
  receipts: Array<{ at: string; status: string; source: string; providerId: string | null; details: string | null }>;
  letter: CaseNotificationLetter | null;
}

export interface CaseReminder {
  id: string;
  step: string;
  round: number;
  dueAt: string;
  deadlineState: string;
  kind: string;
  escalationLevel: number;
  reason: string | null;
  sendAt: string;
  sentAt: string | null;
  recipientId: string | null;
  recipientName: string | null;
  ackDueAt: string | null;
  acknowledgedAt: string | null;
  acknowledgedById: string | null;
  acknowledgedByName: string | null;
  acknowledgedVia: string | null;
  escalatedAt: string | null;
  cancelledAt: string | null;
}

/** How long an operator sees a phone case's contact details (see `operatorSeesContacts`). */
export const OPERATOR_CONTACT_DAYS = 30;

type CaseDetail = Awaited<ReturnType<CaseQueryService['detail']>>;

/** A case as an operator sees one that is not theirs to call: every phone number and address masked, no attachment list. */
export function withoutContacts(d: CaseDetail): CaseDetail {
  return {
    ...d,
    case: {
      ...d.case,
      description: maskText(d.case.description),
      summary: maskText(d.case.summary),
      reporterContact: d.case.reporterContact === null ? null : maskText(d.case.reporterContact),
      matchDetails: maskValue(d.case.matchDetails),
      contactsHidden: true,
    },
    events: d.events.map((e) => ({ ...e, details: maskValue(e.details) as typeof e.details })),
    calls: d.calls.map((c) => ({
      ...c,
      callerNumber: maskText(c.callerNumber),
      callerDigits: c.callerDigits === null ? null : maskText(c.callerDigits),
      summary: maskText(c.summary),
    })),
    attachments: [],
  };
}

/** The rule of `operatorSeesContacts`, for a case row at hand (the list's summaries, the detail). */
export function operatorSeesRow(row: Pick<CaseRow, 'channel' | 'receivedAt'>, now = Date.now()): boolean {
  return row.channel === 'hotline' && new Date(row.receivedAt).getTime() > now - OPERATOR_CONTACT_DAYS * 86_400_000;
}

/** A notification's address as staff may see it: phones and emails masked, a postal address cut to its first characters. */
function maskRecipient(channel: string | null, address: string | null): string | null {
  if (address === null) return null;
  const masked = maskText(address);
  if (channel !== 'letter' || masked !== address) return masked;
  const chars = [...address];
  return chars.length <= 6 ? '****' : `${chars.slice(0, 6).join('')}****`;
}

/** A receipt's detail, short enough for a timeline line. */
const summary = (text: string) => (text.length > 200 ? `${text.slice(0, 199)}…` : text);
