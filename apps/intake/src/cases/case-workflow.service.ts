import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { z } from 'zod';
import type { DataSource, EntityManager } from 'typeorm';
import { AppException, CaseEntity, CaseEventEntity, StaffEntity, type StaffPrincipal } from '@kefu/shared';
import type {
  acceptSchema,
  assignSchema,
  closeSchema,
  escalateSchema,
  moveReplyDateSchema,
  reclassifySchema,
  rejectSchema,
  replySchema,
  resolveSchema,
  returnVisitSchema,
} from './case.dto';
import { allowedFrom, statusLabel, transitionLabel, type TransitionName } from './case-transitions';
import { overrideRule } from '../normalise';

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
  >
>;
interface Decision {
  set: CaseUpdate;
  event: Record<string, unknown>;
  kind?: string;
}

/** 0 staff, 1 department manager, 2 vice GM, 3 GM (002 §7.3.2). */
export const GM_LEVEL = 3;
const levelLabel = ['客服人员', '部门经理', '主管副总', '总经理'];

/**
 * Every change of a case's state: each runs in a transaction on the locked row, checks the move is
 * legal (409 naming the current status otherwise) and appends its event with the actor.
 */
@Injectable()
export class CaseWorkflowService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  accept(id: string, b: In<typeof acceptSchema>, by: StaffPrincipal) {
    return this.step(id, 'accept', by, () => ({
      set: { status: 'accepted', validity: 'valid' },
      event: { note: b.note },
    }));
  }

  reject(id: string, b: In<typeof rejectSchema>, by: StaffPrincipal) {
    return this.step(id, 'reject', by, (c) => ({
      set: { status: 'rejected', validity: 'invalid', closedAt: null },
      event: { reason: b.reason, previous: c.status },
    }));
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
      return {
        set: { status: 'assigned', departmentId, assigneeId: b.assigneeId ?? c.assigneeId },
        event: { departmentId, assigneeId: b.assigneeId, note: b.note },
      };
    });
  }

  reply(id: string, b: In<typeof replySchema>, by: StaffPrincipal) {
    return this.step(id, 'reply', by, () => ({
      set: { status: 'replied' },
      event: { via: b.via, content: b.content },
    }));
  }

  /**
   * The customer agreed to a later reply date. At most twice (002 §7.4.2): the third request is refused
   * and the case goes straight to the GM.
   */
  async moveReplyDate(id: string, b: In<typeof moveReplyDateSchema>, by: StaffPrincipal, maxMoves: number) {
    const refused = await this.ds.transaction(async (m) => {
      const c = await this.lock(m, id, 'moveReplyDate');
      if (c.replyDateMoves < maxMoves) return null;
      await m.update(CaseEntity, { id }, { escalationLevel: GM_LEVEL });
      await this.event(m, id, 'escalated', by, {
        from: c.escalationLevel,
        to: GM_LEVEL,
        reason: `答复日期已变更${maxMoves}次，再次申请变更：直接升级至总经理 (reply date already moved ${maxMoves} times)`,
      });
      return c;
    });
    if (refused) {
      throw new AppException(
        'illegal_transition',
        `案件 ${refused.number} 的答复日期已变更 ${maxMoves} 次，不能再变更；案件已升级至总经理。(The promised reply date may be moved at most ${maxMoves} times; the case has been escalated to the GM.)`,
      );
    }
    return this.step(id, 'moveReplyDate', by, (c) => {
      const to = new Date(b.newDate);
      if (c.promisedReplyAt && to <= c.promisedReplyAt) {
        throw new AppException('validation_failed', 'Invalid input: newDate', {
          fields: [{ field: 'newDate', message: 'must be later than the current promised reply date' }],
        });
      }
      return {
        set: { promisedReplyAt: to, replyDateMoves: c.replyDateMoves + 1 },
        event: {
          from: c.promisedReplyAt?.toISOString() ?? null,
          to: to.toISOString(),
          move: c.replyDateMoves + 1,
          reason: b.reason,
          customerAgreed: true,
        },
        kind: 'reply_date_moved',
      };
    });
  }

  escalate(id: string, b: In<typeof escalateSchema>, by: StaffPrincipal) {
    return this.step(id, 'escalate', by, (c) => {
      if (c.escalationLevel >= GM_LEVEL)
        throw new AppException(
          'illegal_transition',
          `案件 ${c.number} 已在总经理层级，不能再升级。(Already at the GM.)`,
        );
      const to = c.escalationLevel + 1;
      return {
        set: { escalationLevel: to },
        event: { from: c.escalationLevel, to, toLabel: levelLabel[to], reason: b.reason },
        kind: 'escalated',
      };
    });
  }

  resolve(id: string, b: In<typeof resolveSchema>, by: StaffPrincipal) {
    return this.step(id, 'resolve', by, () => ({ set: { status: 'resolved' }, event: { result: b.result } }));
  }

  /** Satisfied → return_visited; unsatisfied reopens the case to its handler (回访不满意 → 重新处理). */
  returnVisit(id: string, b: In<typeof returnVisitSchema>, by: StaffPrincipal) {
    return this.step(id, 'returnVisit', by, () => ({
      set: { status: b.satisfied ? 'return_visited' : 'assigned' },
      event: {
        satisfied: b.satisfied,
        comments: b.comments,
        openProblems: b.openProblems,
        ...(b.satisfied ? {} : { reopened: true }),
      },
    }));
  }

  close(id: string, b: In<typeof closeSchema>, by: StaffPrincipal) {
    return this.step(id, 'close', by, () => ({
      set: { status: 'closed', closedAt: new Date() },
      event: { note: b.note },
    }));
  }

  /** Staff override of the keyword classification; the rules that fired stay recorded. */
  async reclassify(id: string, b: In<typeof reclassifySchema>, by: StaffPrincipal): Promise<CaseEntity> {
    return this.ds.transaction(async (m) => {
      const c = await m.findOne(CaseEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!c) throw new AppException('not_found', `No case ${id}.`);
      const changes = (['type', 'category', 'severity'] as const).filter((f) => b[f] !== undefined && b[f] !== c[f]);
      if (!changes.length) return c;
      const before = Object.fromEntries(changes.map((f) => [f, c[f]]));
      const after = Object.fromEntries(changes.map((f) => [f, b[f]]));
      const rules = [...new Set([...c.classificationRules, ...changes.map((f) => overrideRule('manual', f))])];
      await m.update(CaseEntity, { id }, { ...after, classificationRules: rules });
      await this.event(m, id, 'reclassified', by, { before, after });
      return m.findOneByOrFail(CaseEntity, { id });
    });
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
    by: StaffPrincipal,
    decide: (c: CaseEntity, m: EntityManager) => Decision | Promise<Decision>,
  ): Promise<CaseEntity> {
    return this.ds.transaction(async (m) => {
      const c = await this.lock(m, id, t);
      const { set, event, kind } = await decide(c, m);
      await m.update(CaseEntity, { id }, set);
      const statusChange = set.status && set.status !== c.status ? { fromStatus: c.status, toStatus: set.status } : {};
      await this.event(m, id, kind ?? snake(t), by, { ...event, ...statusChange });
      return m.findOneByOrFail(CaseEntity, { id });
    });
  }

  private async event(
    m: EntityManager,
    caseId: string,
    kind: string,
    by: StaffPrincipal,
    details: Record<string, unknown>,
  ): Promise<void> {
    await m.save(m.create(CaseEventEntity, { caseId, kind, actorId: by.id, actorLabel: by.name, details }));
  }
}

const snake = (s: string) => s.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`);
