import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { z } from 'zod';
import type { DataSource } from 'typeorm';
import { AppException, CaseEntity, levelName, loadEscalationChain, type StaffPrincipal } from '@kefu/shared';
import type { coordinateSchema, escalateSchema, moveReplyDateSchema } from './case.dto';
import { CaseSteps } from './case-steps.service';

type In<S extends z.ZodType> = z.output<S>;

// Escalation levels: 0 the person responsible, then the company's chain (escalation_levels, 002 §7.3.2), whose last
// level is the top (the GM in the default chain): where a case goes "straight to the GM" and escalation stops.

/** A case going up the escalation chain: asked for, by a third move of the reply date, or for coordination. */
@Injectable()
export class CaseEscalationService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly steps: CaseSteps,
  ) {}

  /**
   * The customer agreed to a later reply date. At most twice (002 §7.4.2): the third request is refused
   * and the case goes straight to the GM.
   */
  async moveReplyDate(id: string, b: In<typeof moveReplyDateSchema>, by: StaffPrincipal, maxMoves: number) {
    const refused = await this.ds.transaction(async (m) => {
      const c = await this.steps.lock(m, id, 'moveReplyDate');
      if (c.replyDateMoves < maxMoves) return null;
      const chain = await loadEscalationChain(m);
      const top = levelName(chain, chain.top) ?? '总经理';
      await m.update(CaseEntity, { id }, { escalationLevel: chain.top });
      const eventId = await this.steps.event(m, id, 'escalated', by, {
        from: c.escalationLevel,
        to: chain.top,
        toLabel: top,
        reason: `答复日期已变更${maxMoves}次，再次申请变更：直接升级至${top} (reply date already moved ${maxMoves} times)`,
      });
      await this.steps.replan(m, id, eventId);
      return { number: c.number, top };
    });
    if (refused) {
      throw new AppException(
        'illegal_transition',
        `案件 ${refused.number} 的答复日期已变更 ${maxMoves} 次，不能再变更；案件已升级至${refused.top}。(The promised reply date may be moved at most ${maxMoves} times; the case has been escalated to the GM.)`,
      );
    }
    return this.steps.step(id, 'moveReplyDate', by, (c) => {
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
    return this.steps.step(id, 'escalate', by, async (c, m) => {
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
    return this.steps.step(id, 'coordinate', by, async (c, m) => {
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
}
