import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  addToOutbox,
  AppException,
  CaseEntity,
  CaseEventEntity,
  CLOCK,
  notificationKeys,
  requestNotification,
  type Clock,
} from '@kefu/shared';
import { allowedFrom, statusLabel, transitionLabel, type TransitionName } from './case-transitions';
import type { Actor } from './case-workflow.service';

export type CaseUpdate = Partial<
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
export interface Decision {
  set: CaseUpdate;
  event: Record<string, unknown>;
  kind?: string;
  /** A second event the same change makes (a major case's moved date is also its report to the head). */
  also?: { kind: string; details: Record<string, unknown> };
}

/**
 * The mechanics every change of a case's state shares: the transaction on the locked row, the check that the move
 * is legal (409 naming the current status otherwise), the event with the actor, and the scheduler told to plan again.
 */
@Injectable()
export class CaseSteps {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** A `case_reply` to the reporter, once per key (`reply` = the reply's ordinal, or `invalid`). */
  async sendReply(
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

  /** Events of one kind on the case's timeline (the ordinal of the next reply, the return-visit round). */
  async countEvents(m: EntityManager, caseId: string, kind: string): Promise<number> {
    const [{ n }] = await m.query<[{ n: number }]>(
      `SELECT count(*)::int AS n FROM case_events WHERE case_id = $1 AND kind = $2`,
      [caseId, kind],
    );
    return n;
  }

  /** An act on an open case that changes no status: its event (kind in snake case), and the deadlines planned again. */
  record(
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
  async replan(m: EntityManager, caseId: string, eventId: string): Promise<void> {
    await m.query(`UPDATE cases SET planned_round = NULL WHERE id = $1`, [caseId]);
    await addToOutbox(m, 'case-changed', { caseId }, `case-changed:${caseId}:${eventId}`);
  }

  async lock(m: EntityManager, id: string, t: TransitionName): Promise<CaseEntity> {
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

  async step(
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
  async event(
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
