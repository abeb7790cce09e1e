import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppException, AttachmentEntity, CallEntity, CaseEventEntity, IntakeRecordEntity } from '@kefu/shared';
import { maskText, maskValue } from '@kefu/shared';
import type { ListCasesQuery } from './case.dto';
import { availableTransitions, transitionLabel, type TransitionName } from './case-transitions';
import { caseWarrantySql, type CaseWarrantyFact } from './warranty/warranty-standing';
import { CaseMessagesQuery } from './case-messages.query';
import { CASE_ROW_SELECT as select, listCasesFilter } from './case-query.sql';

export { OVERDUE } from './case-query.sql';
export type { CaseNotification, CaseNotificationLetter, CaseReminder } from './case-messages.query';

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

@Injectable()
export class CaseQueryService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly messages: CaseMessagesQuery,
  ) {}

  async list(q: ListCasesQuery): Promise<{ items: CaseRow[]; total: number; page: number; pageSize: number }> {
    const { filter, params } = listCasesFilter(q);
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
      this.messages.notifications(id),
      this.messages.reminders(id),
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
