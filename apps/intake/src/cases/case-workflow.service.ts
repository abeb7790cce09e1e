import { Inject, Injectable } from '@nestjs/common';
import type { z } from 'zod';
import type { EntityManager } from 'typeorm';
import {
  APP_CONFIG,
  AppException,
  CalendarService,
  CaseEntity,
  CLOCK,
  departmentHandlerSql,
  dutyDayOf,
  StaffEntity,
  type AppConfig,
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
import { CaseSteps } from './case-steps.service';
import { CaseEscalationService } from './case-escalation.service';
import { CaseReturnVisitService } from './case-return-visit.service';
import { CaseReclassifyService } from './case-reclassify.service';

type In<S extends z.ZodType> = z.output<S>;

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

/**
 * Every change of a case's state: each runs in a transaction on the locked row, checks the move is
 * legal (409 naming the current status otherwise) and appends its event with the actor (CaseSteps). Escalation,
 * the return visit and reclassification have their own services; this is the one entry the controllers use.
 */
@Injectable()
export class CaseWorkflowService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly calendars: CalendarService,
    private readonly steps: CaseSteps,
    private readonly escalation: CaseEscalationService,
    private readonly visits: CaseReturnVisitService,
    private readonly reclassifier: CaseReclassifyService,
  ) {}

  accept(id: string, b: In<typeof acceptSchema>, by: StaffPrincipal) {
    return this.steps.step(id, 'accept', by, () => ({
      set: { status: 'accepted', validity: 'valid' },
      event: { note: b.note },
    }));
  }

  /** 无效投诉: filed with the reason; answered politely first when staff write the answer (003 §9.3.3). */
  reject(id: string, b: In<typeof rejectSchema>, by: StaffPrincipal) {
    return this.steps.step(id, 'reject', by, async (c, m) => {
      const notificationId = b.reply
        ? await this.steps.sendReply(m, c, 'invalid', b.reply.via, b.reply.content, by)
        : null;
      return {
        set: { status: 'rejected', validity: 'invalid', closedAt: null },
        event: { reason: b.reason, previous: c.status, ...(b.reply ? { reply: { ...b.reply, notificationId } } : {}) },
      };
    });
  }

  assign(id: string, b: In<typeof assignSchema>, by: StaffPrincipal) {
    return this.steps.step(id, 'assign', by, async (c, m) => {
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
    return this.steps.step(id, 'reply', by, async (c, m) => {
      let notificationId: string | null = null;
      if (b.via === 'sms' || b.via === 'email' || b.via === 'letter') {
        const n = await this.steps.countEvents(m, c.id, 'reply');
        notificationId = await this.steps.sendReply(m, c, String(n + 1), b.via, b.content, by);
      }
      return { set: { status: 'replied' }, event: { via: b.via, content: b.content, notificationId } };
    });
  }

  /**
   * The customer agreed to a later reply date. At most twice (002 §7.4.2): the third request is refused
   * and the case goes straight to the GM.
   */
  moveReplyDate(id: string, b: In<typeof moveReplyDateSchema>, by: StaffPrincipal, maxMoves: number) {
    return this.escalation.moveReplyDate(id, b, by, maxMoves);
  }

  escalate(id: string, b: In<typeof escalateSchema>, by: StaffPrincipal) {
    return this.escalation.escalate(id, b, by);
  }

  /**
   * 002 §7.3.5: a complaint only several departments acting together can resolve is handed straight to the GM, who
   * gives the handling opinion (or calls the departments together). The GM is told by the scheduler.
   */
  coordinate(id: string, b: In<typeof coordinateSchema>, by: StaffPrincipal) {
    return this.escalation.coordinate(id, b, by);
  }

  /**
   * The work is done. A complaint, repair or claim then waits for its return visit (回访): the reporter is sent a
   * `return_visit_request` with a signed one-time link to the public satisfaction page (by email for mail and
   * fax, else SMS to the number they gave, else email; staff call those with neither).
   */
  resolve(id: string, b: In<typeof resolveSchema>, by: StaffPrincipal) {
    return this.visits.resolve(id, b, by);
  }

  /** A return visit staff made by phone or in person: satisfied → return_visited; unsatisfied reopens the case. */
  returnVisit(id: string, b: In<typeof returnVisitSchema>, by: StaffPrincipal) {
    return this.visits.visit(id, null, { ...b, via: b.via }, by);
  }

  /**
   * The owner's answer through the return-visit link, for the round it was sent for. Refused (409) when the
   * round has been recorded already — by the owner or by staff — or the case has moved on since.
   */
  ownerReturnVisit(id: string, round: number, answer: Omit<ReturnVisitAnswer, 'via'>) {
    return this.visits.visit(id, round, { ...answer, via: 'owner_link' }, { id: null, name: '业主（回访链接）' });
  }

  close(id: string, b: In<typeof closeSchema>, by: StaffPrincipal) {
    return this.steps.step(id, 'close', by, () => ({
      set: { status: 'closed', closedAt: this.clock.now() },
      event: { note: b.note },
    }));
  }

  /**
   * Staff override of the keyword classification; the rules that fired stay recorded. The deadlines follow the new
   * class (the scheduler plans them again): a case that becomes major or a repair gets that class's steps from now,
   * and its promised reply date is brought forward to that class's promise when it has not been moved with the
   * customer yet — never pushed later than what the customer was told.
   */
  reclassify(id: string, b: In<typeof reclassifySchema>, by: StaffPrincipal): Promise<CaseEntity> {
    return this.reclassifier.reclassify(id, b, by);
  }

  /**
   * The responsible department's analysis and plan (004 篇2 §4.D): the department's 1-hour step is done. With
   * `tellOwner`, the plan and its stage dates go to the owner as a case_reply (003 §8.1.8), key `case-reply:<case>:plan-<n>`.
   */
  handlingPlan(id: string, b: In<typeof handlingPlanSchema>, by: StaffPrincipal) {
    return this.steps.record(id, 'handlingPlan', by, async (c, m) => {
      let notificationId: string | null = null;
      if (b.tellOwner) {
        const n = await this.steps.countEvents(m, c.id, 'handling_plan');
        const stages = b.stages
          .map((s) => `${s.what}：${zonedParts(new Date(s.by), this.config.BUSINESS_TIME_ZONE).day}前`)
          .join('；');
        const text = `处理方案：${b.plan}${stages ? `。处理进度：${stages}` : ''}`;
        notificationId = await this.steps.sendReply(m, c, `plan-${n + 1}`, b.tellOwner, text, by);
      }
      return { analysis: b.analysis, plan: b.plan, stages: b.stages, tellOwner: b.tellOwner, notificationId };
    });
  }

  /** The repair's site survey (003 §11.2.2): done. */
  siteSurvey(id: string, b: In<typeof siteSurveySchema>, by: StaffPrincipal) {
    return this.steps.record(id, 'siteSurvey', by, (c) => {
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
    return this.steps.record(id, 'surveyAppointment', by, () => {
      const at = new Date(b.agreedAt);
      if (at <= this.clock.now())
        throw new AppException('validation_failed', 'Invalid input: agreedAt', {
          fields: [{ field: 'agreedAt', message: 'must be in the future' }],
        });
      return { agreedAt: at.toISOString(), note: b.note };
    });
  }
}
