import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { z } from 'zod';
import type { DataSource, EntityManager } from 'typeorm';
import {
  addToOutbox,
  APP_CONFIG,
  AppException,
  CalendarService,
  CaseEntity,
  CaseEventEntity,
  CLOCK,
  departmentHandlerSql,
  dutyDayOf,
  initialDeadlines,
  levelName,
  loadEscalationChain,
  notificationKeys,
  requestNotification,
  StaffEntity,
  type AppConfig,
  type CaseType,
  type Clock,
  type StaffPrincipal,
  zonedParts,
} from '@kefu/shared';
import type {
  acceptSchema,
  assignSchema,
  closeSchema,
  coordinateSchema,
  escalateSchema,
  handlingPlanSchema,
  moveReplyDateSchema,
  reclassifySchema,
  rejectSchema,
  replySchema,
  resolveSchema,
  returnVisitSchema,
  siteSurveySchema,
  surveyAppointmentSchema,
} from './case.dto';
import { allowedFrom, statusLabel, transitionLabel, type TransitionName } from './case-transitions';
import { overrideRule } from '../normalise';
import { ReturnVisitLinks } from './return-visit-links';
import { ClaimsService } from './claims/claims.service';
import { decideWarranty, unitWarrantyItems } from './warranty/warranty-standing';

type In<S extends z.ZodType> = z.output<S>;
type CaseUpdate = Partial<
  Pick<
    CaseEntity,
    | 'status'
    | 'validity'
    | 'closedAt'
    | 'departmentId'
    | 'assigneeId'
    | 'promisedReplyAt'
    | 'replyDateMoves'
    | 'escalationLevel'
    | 'promisedReplyRule'
  >
>;
interface Decision {
  set: CaseUpdate;
  event: Record<string, unknown>;
  kind?: string;
  /** A second event the same change makes (a major case's moved date is also its report to the head). */
  also?: { kind: string; details: Record<string, unknown> };
}

/** Who acted: a staff member, or the owner through a public link (no id). */
export type Actor = Pick<StaffPrincipal, 'name'> & { id: string | null };

/** An owner's or a staff member's verdict on a resolved case (回访). */
export interface ReturnVisitAnswer {
  satisfied: boolean;
  rating: number | null;
  comments: string | null;
  openProblems?: string | null;
  via: 'owner_link' | 'phone' | 'in_person' | 'other';
}

/** Types that are closed only after the return visit (case-transitions' `close`). */
const visitedTypes: ReadonlySet<CaseType> = new Set(['complaint', 'repair', 'claim']);

// Escalation levels: 0 the person responsible, then the company's chain (escalation_levels, 002 §7.3.2), whose last
// level is the top (the GM in the default chain): where a case goes "straight to the GM" and escalation stops.

/**
 * Every change of a case's state: each runs in a transaction on the locked row, checks the move is
 * legal (409 naming the current status otherwise) and appends its event with the actor.
 */
@Injectable()
export class CaseWorkflowService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly links: ReturnVisitLinks,
    private readonly claims: ClaimsService,
    private readonly calendars: CalendarService,
  ) {}

  accept(id: string, b: In<typeof acceptSchema>, by: StaffPrincipal) {
    return this.step(id, 'accept', by, () => ({
      set: { status: 'accepted', validity: 'valid' },
      event: { note: b.note },
    }));
  }

  /** 无效投诉: filed with the reason; answered politely first when staff write the answer (003 §9.3.3). */
  reject(id: string, b: In<typeof rejectSchema>, by: StaffPrincipal) {
    return this.step(id, 'reject', by, async (c, m) => {
      const notificationId = b.reply ? await this.sendReply(m, c, 'invalid', b.reply.via, b.reply.content, by) : null;
      return {
        set: { status: 'rejected', validity: 'invalid', closedAt: null },
        event: { reason: b.reason, previous: c.status, ...(b.reply ? { reply: { ...b.reply, notificationId } } : {}) },
      };
    });
  }

  assign(id: string, b: In<typeof assignSchema>, by: StaffPrincipal) {
    return this.step(id, 'assign', by, async (c, m) => {
      let departmentId = b.departmentId ?? c.departmentId;
      if (b.assigneeId) {
        const person = await m.findOneBy(StaffEntity, { id: b.assigneeId, active: true });
        if (!person)
          throw new AppException('validation_failed', 'Invalid input: assigneeId', {
            fields: [{ field: 'assigneeId', message: 'no such active staff member' }],
          });
        departmentId = b.departmentId ?? person.departmentId ?? departmentId;
      }
      if (
        b.departmentId &&
        !(await m.query<unknown[]>('SELECT 1 FROM departments WHERE id = $1', [b.departmentId])).length
      ) {
        throw new AppException('validation_failed', 'Invalid input: departmentId', {
          fields: [{ field: 'departmentId', message: 'no such department' }],
        });
      }
      // Handed to another department without naming a person: that department's duty person today (else its
      // manager) answers for it from now on, not the one who held it before.
      const handedOver = departmentId !== c.departmentId;
      const assigneeId =
        b.assigneeId ?? (handedOver && departmentId ? await this.handlerToday(m, departmentId) : c.assigneeId);
      return {
        set: { status: 'assigned', departmentId, assigneeId },
        event: { departmentId, assigneeId: b.assigneeId, note: b.note, ...(handedOver ? { handedOver: true } : {}) },
      };
    });
  }

  /** A department's handler today, as intake's routing picks one: its duty person, else its manager. */
  private async handlerToday(m: EntityManager, departmentId: string): Promise<string | null> {
    const params: unknown[] = [departmentId];
    const p = (v: unknown) => `$${params.push(v)}`;
    const on = dutyDayOf(await this.calendars.current(), this.clock.now());
    const [row] = await m.query<Array<{ id: string | null }>>(
      `SELECT ${departmentHandlerSql('$1::uuid', on, p)} AS id`,
      params,
    );
    return row?.id ?? null;
  }

  /**
   * The answer to the customer (002 §7.4.1). Given by SMS, email or letter, it is sent from here: a `case_reply`
   * to the reporter as they gave themselves (a matched owner's opt-outs and postal address apply), a notice that
   * must arrive (a failed channel falls back to the next, SMS → email → EMS letter). By phone or in person it is
   * recorded only: it has already reached them.
   */
  reply(id: string, b: In<typeof replySchema>, by: StaffPrincipal) {
    return this.step(id, 'reply', by, async (c, m) => {
      let notificationId: string | null = null;
      if (b.via === 'sms' || b.via === 'email' || b.via === 'letter') {
        const n = await this.countEvents(m, c.id, 'reply');
        notificationId = await this.sendReply(m, c, String(n + 1), b.via, b.content, by);
      }
      return { set: { status: 'replied' }, event: { via: b.via, content: b.content, notificationId } };
    });
  }

  /** A `case_reply` to the reporter, once per key (`reply` = the reply's ordinal, or `invalid`). */
  private async sendReply(
    m: EntityManager,
    c: CaseEntity,
    reply: string,
    channel: 'sms' | 'email' | 'letter',
    content: string,
    by: Actor,
  ): Promise<string> {
    const { id } = await requestNotification(m, {
      idempotencyKey: notificationKeys.caseReply({ caseId: c.id, reply }),
      kind: 'case_reply',
      recipient: { caseReporterOf: c.id },
      channel,
      variables: { caseNumber: c.number, replyText: content, staffName: by.name },
      source: { type: 'case', id: c.id },
    });
    return id;
  }

  /**
   * The customer agreed to a later reply date. At most twice (002 §7.4.2): the third request is refused
   * and the case goes straight to the GM.
   */
  async moveReplyDate(id: string, b: In<typeof moveReplyDateSchema>, by: StaffPrincipal, maxMoves: number) {
    const refused = await this.ds.transaction(async (m) => {
      const c = await this.lock(m, id, 'moveReplyDate');
      if (c.replyDateMoves < maxMoves) return null;
      const chain = await loadEscalationChain(m);
      const top = levelName(chain, chain.top) ?? '总经理';
      await m.update(CaseEntity, { id }, { escalationLevel: chain.top });
      const eventId = await this.event(m, id, 'escalated', by, {
        from: c.escalationLevel,
        to: chain.top,
        toLabel: top,
        reason: `答复日期已变更${maxMoves}次，再次申请变更：直接升级至${top} (reply date already moved ${maxMoves} times)`,
      });
      await this.replan(m, id, eventId);
      return { number: c.number, top };
    });
    if (refused) {
      throw new AppException(
        'illegal_transition',
        `案件 ${refused.number} 的答复日期已变更 ${maxMoves} 次，不能再变更；案件已升级至${refused.top}。(The promised reply date may be moved at most ${maxMoves} times; the case has been escalated to the GM.)`,
      );
    }
    return this.step(id, 'moveReplyDate', by, (c) => {
      const to = new Date(b.newDate);
      if (c.promisedReplyAt && to <= c.promisedReplyAt) {
        throw new AppException('validation_failed', 'Invalid input: newDate', {
          fields: [{ field: 'newDate', message: 'must be later than the current promised reply date' }],
        });
      }
      // A major complaint whose solution will not be agreed in time is reported to the head at once (004 篇2 §5.C).
      const reportToHead = c.severity === 'major' && c.escalationLevel < 1;
      return {
        set: {
          promisedReplyAt: to,
          replyDateMoves: c.replyDateMoves + 1,
          ...(reportToHead ? { escalationLevel: 1 } : {}),
        },
        event: {
          from: c.promisedReplyAt?.toISOString() ?? null,
          to: to.toISOString(),
          move: c.replyDateMoves + 1,
          reason: b.reason,
          customerAgreed: true,
        },
        kind: 'reply_date_moved',
        also: reportToHead
          ? {
              kind: 'escalated',
              details: {
                from: c.escalationLevel,
                to: 1,
                // The report goes to the head of the responsible department (004 篇2 §5.A), whatever the chain's level 1
                // is called (市场部经理 in 002's chain): named for who is told.
                toLabel: '部门经理',
                reason: `重大投诉未能在时限内商定解决方案（答复日期推迟至${to.toISOString()}），报告部门负责人`,
              },
            }
          : undefined,
      };
    });
  }

  escalate(id: string, b: In<typeof escalateSchema>, by: StaffPrincipal) {
    return this.step(id, 'escalate', by, async (c, m) => {
      const chain = await loadEscalationChain(m);
      if (c.escalationLevel >= chain.top)
        throw new AppException(
          'illegal_transition',
          `案件 ${c.number} 已在最高层级（${levelName(chain, chain.top)}），不能再升级。(Already at the top of the escalation chain.)`,
        );
      const to = c.escalationLevel + 1;
      return {
        set: { escalationLevel: to },
        event: { from: c.escalationLevel, to, toLabel: levelName(chain, to), reason: b.reason },
        kind: 'escalated',
      };
    });
  }

  /**
   * 002 §7.3.5: a complaint only several departments acting together can resolve is handed straight to the GM, who
   * gives the handling opinion (or calls the departments together). The GM is told by the scheduler.
   */
  coordinate(id: string, b: In<typeof coordinateSchema>, by: StaffPrincipal) {
    return this.step(id, 'coordinate', by, async (c, m) => {
      const found = await m.query<Array<{ id: string; name: string }>>(
        `SELECT id, name FROM departments WHERE id = ANY($1::uuid[])`,
        [b.departmentIds],
      );
      const missing = b.departmentIds.findIndex((d) => !found.some((f) => f.id === d));
      if (missing >= 0)
        throw new AppException('validation_failed', 'Invalid input: departmentIds', {
          fields: [{ field: `departmentIds.${missing}`, message: 'no such department' }],
        });
      const names = b.departmentIds.map((d) => found.find((f) => f.id === d)!.name).join('、');
      const chain = await loadEscalationChain(m);
      const top = levelName(chain, chain.top) ?? '总经理';
      return {
        set: { escalationLevel: Math.max(c.escalationLevel, chain.top) },
        event: {
          from: c.escalationLevel,
          to: chain.top,
          toLabel: top,
          departmentIds: b.departmentIds,
          reason: `需${names}协调处理，直接交${top}${b.reason ? `：${b.reason}` : ''}`.slice(0, 200),
        },
        kind: 'escalated',
      };
    });
  }

  /**
   * The work is done. A complaint, repair or claim then waits for its return visit (回访): the reporter is sent a
   * `return_visit_request` with a signed one-time link to the public satisfaction page (by email for mail and
   * fax, else SMS to the number they gave, else email; staff call those with neither).
   */
  resolve(id: string, b: In<typeof resolveSchema>, by: StaffPrincipal) {
    return this.step(id, 'resolve', by, async (c, m) => {
      await this.claims.assertReadyToResolve(m, c);
      const returnVisitRequestId = visitedTypes.has(c.type) ? await this.askReturnVisit(m, c) : null;
      return { set: { status: 'resolved' }, event: { result: b.result, returnVisitRequestId } };
    });
  }

  /** A return visit staff made by phone or in person: satisfied → return_visited; unsatisfied reopens the case. */
  returnVisit(id: string, b: In<typeof returnVisitSchema>, by: StaffPrincipal) {
    return this.visit(id, null, { ...b, via: b.via }, by);
  }

  /**
   * The owner's answer through the return-visit link, for the round it was sent for. Refused (409) when the
   * round has been recorded already — by the owner or by staff — or the case has moved on since.
   */
  ownerReturnVisit(id: string, round: number, answer: Omit<ReturnVisitAnswer, 'via'>) {
    return this.visit(id, round, { ...answer, via: 'owner_link' }, { id: null, name: '业主（回访链接）' });
  }

  close(id: string, b: In<typeof closeSchema>, by: StaffPrincipal) {
    return this.step(id, 'close', by, () => ({
      set: { status: 'closed', closedAt: this.clock.now() },
      event: { note: b.note },
    }));
  }

  /** Satisfied → return_visited; unsatisfied reopens the case to its handler (回访不满意 → 重新处理). Once per round. */
  private visit(id: string, round: number | null, a: ReturnVisitAnswer, by: Actor) {
    return this.step(id, 'returnVisit', by, async (c, m) => {
      const current = await this.resolutions(m, c.id);
      if (round !== null && round !== current)
        throw new AppException('conflict', `案件 ${c.number} 的这次回访已结束。(This return visit is over.)`);
      const [inserted] = await m.query<Array<{ id: string }>>(
        `INSERT INTO return_visits (case_id, round, via, satisfied, rating, comments, recorded_by_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (case_id, round) DO NOTHING RETURNING id`,
        [c.id, Math.max(current, 1), a.via, a.satisfied, a.rating, a.comments, by.id],
      );
      if (!inserted)
        throw new AppException('conflict', `案件 ${c.number} 的回访已记录。(The return visit is already recorded.)`);
      return {
        set: { status: a.satisfied ? 'return_visited' : 'assigned' },
        event: {
          satisfied: a.satisfied,
          rating: a.rating,
          comments: a.comments,
          openProblems: a.openProblems ?? null,
          via: a.via,
          ...(a.satisfied ? {} : { reopened: true }),
        },
      };
    });
  }

  /** How many times the case was resolved: the current return-visit round. */
  private resolutions(m: EntityManager, caseId: string): Promise<number> {
    return this.countEvents(m, caseId, 'resolve');
  }

  /** Events of one kind on the case's timeline (the ordinal of the next reply, the return-visit round). */
  private async countEvents(m: EntityManager, caseId: string, kind: string): Promise<number> {
    const [{ n }] = await m.query<[{ n: number }]>(
      `SELECT count(*)::int AS n FROM case_events WHERE case_id = $1 AND kind = $2`,
      [caseId, kind],
    );
    return n;
  }

  private async askReturnVisit(m: EntityManager, c: CaseEntity): Promise<string | null> {
    const channel =
      (c.channel === 'email' || c.channel === 'fax') && c.reporterEmail
        ? 'email'
        : c.reporterPhone
          ? 'sms'
          : c.reporterEmail
            ? 'email'
            : null;
    if (!channel) return null;
    const round = (await this.resolutions(m, c.id)) + 1;
    const expiresAt = new Date(this.clock.now().getTime() + this.config.RETURN_VISIT_LINK_TTL_DAYS * 86_400_000);
    const visitUrl = `${this.config.PUBLIC_BASE_URL.replace(/\/$/, '')}/visit/${this.links.sign(c.id, round, expiresAt)}`;
    const { id } = await requestNotification(m, {
      idempotencyKey: notificationKeys.returnVisit({ caseId: c.id, round: String(round) }),
      kind: 'return_visit_request',
      recipient: { caseReporterOf: c.id },
      channel,
      variables: { caseNumber: c.number, visitUrl, ...(c.type === 'repair' ? { repair: true } : {}) },
      source: { type: 'case', id: c.id },
    });
    return id;
  }

  /**
   * Staff override of the keyword classification; the rules that fired stay recorded. The deadlines follow the new
   * class (the scheduler plans them again): a case that becomes major or a repair gets that class's steps from now,
   * and its promised reply date is brought forward to that class's promise when it has not been moved with the
   * customer yet — never pushed later than what the customer was told.
   */
  async reclassify(id: string, b: In<typeof reclassifySchema>, by: StaffPrincipal): Promise<CaseEntity> {
    return this.ds.transaction(async (m) => {
      const c = await m.findOne(CaseEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!c) throw new AppException('not_found', `No case ${id}.`);
      const changes = (['type', 'category', 'severity'] as const).filter((f) => b[f] !== undefined && b[f] !== c[f]);
      if (!changes.length) return c;
      const before = Object.fromEntries(changes.map((f) => [f, c[f]]));
      const after = Object.fromEntries(changes.map((f) => [f, b[f]]));
      const rules = [...new Set([...c.classificationRules, ...changes.map((f) => overrideRule('manual', f))])];
      const promise = await this.promiseAfterReclassify(c, {
        type: b.type ?? c.type,
        severity: b.severity ?? c.severity,
      });
      // Made a repair: its warranty standing is judged now, as intake would have (000 §6.5.1(2)).
      const warranty =
        b.type === 'repair' && c.warrantyStatus === null
          ? decideWarranty(
              c.description,
              zonedParts(c.receivedAt, this.config.BUSINESS_TIME_ZONE).day,
              c.unitId ? await unitWarrantyItems(m, c.unitId) : null,
            )
          : null;
      await m.update(
        CaseEntity,
        { id },
        {
          ...after,
          classificationRules: rules,
          ...(promise?.set ?? {}),
          ...(warranty
            ? {
                warrantyStatus: warranty.status,
                warrantyItemCode: warranty.itemCode,
                warrantyExpiresOn: warranty.expiresOn,
              }
            : {}),
        },
      );
      const eventId = await this.event(m, id, 'reclassified', by, {
        before,
        after,
        ...(promise ? { promise: promise.event } : {}),
        ...(warranty ? { warranty } : {}),
      });
      await this.replan(m, id, eventId);
      return m.findOneByOrFail(CaseEntity, { id });
    });
  }

  private async promiseAfterReclassify(
    c: CaseEntity,
    to: Pick<CaseEntity, 'type' | 'severity'>,
  ): Promise<{ set: CaseUpdate; event: Record<string, unknown> } | null> {
    if (c.replyDateMoves > 0 || !['new', 'accepted', 'assigned'].includes(c.status)) return null;
    const now = this.clock.now();
    const d = initialDeadlines(await this.calendars.current(), this.config.SLA_POLICY, { ...to, receivedAt: now });
    if (c.promisedReplyAt && d.firstReply.at >= c.promisedReplyAt) return null;
    return {
      set: { promisedReplyAt: d.firstReply.at, promisedReplyRule: d.firstReplyRule },
      event: {
        from: c.promisedReplyAt?.toISOString() ?? null,
        to: d.firstReply.at.toISOString(),
        rule: d.firstReplyRule,
      },
    };
  }

  /**
   * The responsible department's analysis and plan (004 篇2 §4.D): the department's 1-hour step is done. With
   * `tellOwner`, the plan and its stage dates go to the owner as a case_reply (003 §8.1.8), key `case-reply:<case>:plan-<n>`.
   */
  handlingPlan(id: string, b: In<typeof handlingPlanSchema>, by: StaffPrincipal) {
    return this.record(id, 'handlingPlan', by, async (c, m) => {
      let notificationId: string | null = null;
      if (b.tellOwner) {
        const n = await this.countEvents(m, c.id, 'handling_plan');
        const stages = b.stages
          .map((s) => `${s.what}：${zonedParts(new Date(s.by), this.config.BUSINESS_TIME_ZONE).day}前`)
          .join('；');
        const text = `处理方案：${b.plan}${stages ? `。处理进度：${stages}` : ''}`;
        notificationId = await this.sendReply(m, c, `plan-${n + 1}`, b.tellOwner, text, by);
      }
      return { analysis: b.analysis, plan: b.plan, stages: b.stages, tellOwner: b.tellOwner, notificationId };
    });
  }

  /** The repair's site survey (003 §11.2.2): done. */
  siteSurvey(id: string, b: In<typeof siteSurveySchema>, by: StaffPrincipal) {
    return this.record(id, 'siteSurvey', by, (c) => {
      const at = new Date(b.surveyedAt);
      if (at > this.clock.now() || at < c.receivedAt)
        throw new AppException('validation_failed', 'Invalid input: surveyedAt', {
          fields: [{ field: 'surveyedAt', message: 'must be between the receipt of the case and now' }],
        });
      return { surveyedAt: at.toISOString(), findings: b.findings };
    });
  }

  /** The survey time agreed with the owner (003 §11.2.2): the site-survey deadline becomes that time. */
  surveyAppointment(id: string, b: In<typeof surveyAppointmentSchema>, by: StaffPrincipal) {
    return this.record(id, 'surveyAppointment', by, () => {
      const at = new Date(b.agreedAt);
      if (at <= this.clock.now())
        throw new AppException('validation_failed', 'Invalid input: agreedAt', {
          fields: [{ field: 'agreedAt', message: 'must be in the future' }],
        });
      return { agreedAt: at.toISOString(), note: b.note };
    });
  }

  /** An act on an open case that changes no status: its event (kind in snake case), and the deadlines planned again. */
  private record(
    id: string,
    t: 'handlingPlan' | 'siteSurvey' | 'surveyAppointment',
    by: Actor,
    details: (c: CaseEntity, m: EntityManager) => Record<string, unknown> | Promise<Record<string, unknown>>,
  ): Promise<CaseEntity> {
    return this.ds.transaction(async (m) => {
      const c = await m.findOne(CaseEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!c) throw new AppException('not_found', `No case ${id}.`);
      if (t !== 'handlingPlan' && c.type !== 'repair') throw notRepair(c);
      await this.lock(m, id, t);
      const eventId = await this.event(m, id, snake(t), by, await details(c, m));
      await this.replan(m, id, eventId);
      return m.findOneByOrFail(CaseEntity, { id });
    });
  }

  /**
   * The scheduler plans the case's deadlines again: the row says so (planned_round = NULL, found by the scan's
   * catch-up) and `case-changed` says it now.
   */
  private async replan(m: EntityManager, caseId: string, eventId: string): Promise<void> {
    await m.query(`UPDATE cases SET planned_round = NULL WHERE id = $1`, [caseId]);
    await addToOutbox(m, 'case-changed', { caseId }, `case-changed:${caseId}:${eventId}`);
  }

  private async lock(m: EntityManager, id: string, t: TransitionName): Promise<CaseEntity> {
    const c = await m.findOne(CaseEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!c) throw new AppException('not_found', `No case ${id}.`);
    const from = allowedFrom(t, c.type);
    if (!from.includes(c.status)) {
      throw new AppException(
        'illegal_transition',
        `案件 ${c.number} 当前为「${statusLabel[c.status]}」，不能「${transitionLabel[t]}」。(Case is ${c.status}; ${t} is allowed from: ${from.join(', ')}.)`,
        { status: c.status, allowedFrom: from },
      );
    }
    return c;
  }

  private async step(
    id: string,
    t: TransitionName,
    by: Actor,
    decide: (c: CaseEntity, m: EntityManager) => Decision | Promise<Decision>,
  ): Promise<CaseEntity> {
    return this.ds.transaction(async (m) => {
      const c = await this.lock(m, id, t);
      const { set, event, kind, also } = await decide(c, m);
      await m.update(CaseEntity, { id }, set);
      const statusChange = set.status && set.status !== c.status ? { fromStatus: c.status, toStatus: set.status } : {};
      let eventId = await this.event(m, id, kind ?? snake(t), by, { ...event, ...statusChange });
      if (also) eventId = await this.event(m, id, also.kind, by, also.details);
      await this.replan(m, id, eventId);
      return m.findOneByOrFail(CaseEntity, { id });
    });
  }

  /** Appends an event at the service's clock; returns its id. */
  private async event(
    m: EntityManager,
    caseId: string,
    kind: string,
    by: Actor,
    details: Record<string, unknown>,
  ): Promise<string> {
    const e = await m.save(
      m.create(CaseEventEntity, {
        caseId,
        kind,
        actorId: by.id,
        actorLabel: by.name,
        details,
        occurredAt: this.clock.now(),
      }),
    );
    return e.id;
  }
}

const notRepair = (c: CaseEntity) =>
  new AppException(
    'illegal_transition',
    `案件 ${c.number} 不是报修，没有现场查勘。(Only repairs have a site survey.)`,
    {
      type: c.type,
    },
  );

const snake = (s: string) => s.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`);
