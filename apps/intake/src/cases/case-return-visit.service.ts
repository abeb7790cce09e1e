import { Inject, Injectable } from '@nestjs/common';
import type { z } from 'zod';
import type { EntityManager } from 'typeorm';
import {
  APP_CONFIG,
  AppException,
  CaseEntity,
  CLOCK,
  notificationKeys,
  requestNotification,
  type AppConfig,
  type CaseType,
  type Clock,
  type StaffPrincipal,
} from '@kefu/shared';
import type { resolveSchema } from './case.dto';
import { ReturnVisitLinks } from './return-visit-links';
import { ClaimsService } from './claims/claims.service';
import { CaseSteps } from './case-steps.service';
import type { Actor, ReturnVisitAnswer } from './case-workflow.service';

type In<S extends z.ZodType> = z.output<S>;

/** Types that are closed only after the return visit (case-transitions' `close`). */
const visitedTypes: ReadonlySet<CaseType> = new Set(['complaint', 'repair', 'claim']);

/** A resolved case's return visit (回访): the request with its signed link, and the verdict, once per round. */
@Injectable()
export class CaseReturnVisitService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly steps: CaseSteps,
    private readonly links: ReturnVisitLinks,
    private readonly claims: ClaimsService,
  ) {}

  /** The work is done: a complaint, repair or claim is sent its return-visit request (see CaseWorkflowService). */
  resolve(id: string, b: In<typeof resolveSchema>, by: StaffPrincipal) {
    return this.steps.step(id, 'resolve', by, async (c, m) => {
      await this.claims.assertReadyToResolve(m, c);
      const returnVisitRequestId = visitedTypes.has(c.type) ? await this.askReturnVisit(m, c) : null;
      return { set: { status: 'resolved' }, event: { result: b.result, returnVisitRequestId } };
    });
  }

  /** Satisfied → return_visited; unsatisfied reopens the case to its handler (回访不满意 → 重新处理). Once per round. */
  visit(id: string, round: number | null, a: ReturnVisitAnswer, by: Actor) {
    return this.steps.step(id, 'returnVisit', by, async (c, m) => {
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
    return this.steps.countEvents(m, caseId, 'resolve');
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
}
