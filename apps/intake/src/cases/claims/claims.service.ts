import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AppException, CaseEntity, CaseEventEntity, type StaffPrincipal } from '@kefu/shared';
import type { ClaimStep } from './claim.dto';

type StepKind = ClaimStep['step'];
interface RecordedStep {
  step: StepKind;
  at: Date;
  by: string;
  details: Record<string, unknown>;
}

/** Where a claim stands: what was decided, and what is still missing before its result can be recorded. */
export interface ClaimReport {
  caseId: string;
  number: string;
  responsibility: RecordedStep | null;
  proposal: RecordedStep | null;
  legalReview: RecordedStep | null;
  ownerAgreement: RecordedStep | null;
  approval: RecordedStep | null;
  chargeBacks: RecordedStep[];
  /** Every step in order (the proposals refused on the way included). */
  history: RecordedStep[];
  /** Empty when the compensation may be paid and the case resolved. */
  missing: string[];
}

const leaders = new Set(['vice_gm', 'gm', 'admin']);
const openStatuses = new Set(['accepted', 'assigned', 'replied']);

/**
 * 索赔 (003 §9.4, §12.3; SM03-03): responsibility, the compensation proposal, the lawyer's opinion, the
 * customer's agreement and the leadership's approval are recorded steps; the claim's result can be recorded
 * only once the current proposal is agreed by the customer and approved by a vice GM or the GM (a company's
 * liability), or the responsibility is found not to be ours (explained and filed).
 */
@Injectable()
export class ClaimsService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async record(caseId: string, s: ClaimStep, by: StaffPrincipal): Promise<ClaimReport> {
    return this.ds.transaction(async (m) => {
      const c = await this.lockClaim(m, caseId);
      if (!openStatuses.has(c.status))
        throw new AppException(
          'illegal_transition',
          `案件 ${c.number} 当前不能记录索赔步骤。(Claim steps need an open claim; it is ${c.status}.)`,
        );
      const report = await this.report(m, c);
      if (s.step === 'approval' && !leaders.has(by.role))
        throw new AppException(
          'forbidden',
          '赔偿方案须由主管副总或总经理批复。(Only a vice GM or the GM approves a claim.)',
        );
      if ((s.step === 'legal_review' || s.step === 'owner_agreement' || s.step === 'approval') && !report.proposal)
        throw new AppException('illegal_transition', `案件 ${c.number} 还没有赔偿方案。(Record a proposal first.)`, {
          missing: ['proposal'],
        });
      if (s.step === 'proposal' && !report.responsibility)
        throw new AppException(
          'illegal_transition',
          `案件 ${c.number} 还没有判定责任。(Record the responsibility first.)`,
          {
            missing: ['responsibility'],
          },
        );
      if (s.step === 'charge_back' && report.responsibility?.details.party !== 'contractor')
        throw new AppException(
          'illegal_transition',
          '只有施工单位的责任才能扣款。(A charge-back needs a contractor found responsible.)',
        );
      const { step, ...details } = s;
      await m.save(
        m.create(CaseEventEntity, { caseId, kind: `claim_${step}`, actorId: by.id, actorLabel: by.name, details }),
      );
      return this.report(m, c);
    });
  }

  async get(caseId: string): Promise<ClaimReport> {
    const c = await this.ds.getRepository(CaseEntity).findOneBy({ id: caseId });
    if (!c) throw new AppException('not_found', `No case ${caseId}.`);
    if (c.type !== 'claim')
      throw new AppException('not_found', `案件 ${c.number} 不是索赔。(Case ${c.number} is not a claim.)`);
    return this.report(this.ds.manager, c);
  }

  /** Called by the workflow before a claim's result is recorded, inside its transaction. */
  async assertReadyToResolve(m: EntityManager, c: CaseEntity): Promise<void> {
    if (c.type !== 'claim') return;
    const { missing } = await this.report(m, c);
    if (missing.length)
      throw new AppException(
        'illegal_transition',
        `案件 ${c.number} 的赔偿尚未完成：${missing.join('、')}。(The claim still needs: ${missing.join(', ')}.)`,
        { missing },
      );
  }

  private async lockClaim(m: EntityManager, id: string): Promise<CaseEntity> {
    const c = await m.findOne(CaseEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!c) throw new AppException('not_found', `No case ${id}.`);
    if (c.type !== 'claim')
      throw new AppException('illegal_transition', `案件 ${c.number} 不是索赔。(Case ${c.number} is not a claim.)`);
    return c;
  }

  private async report(m: Pick<EntityManager, 'query'>, c: CaseEntity): Promise<ClaimReport> {
    const rows = await m.query<
      Array<{ kind: string; occurred_at: Date; actor_label: string; details: Record<string, unknown> }>
    >(
      `SELECT kind, occurred_at, actor_label, details FROM case_events
        WHERE case_id = $1 AND kind LIKE 'claim\\_%' ORDER BY occurred_at, id`,
      [c.id],
    );
    const history: RecordedStep[] = rows.map((r) => ({
      step: r.kind.slice('claim_'.length) as StepKind,
      at: r.occurred_at,
      by: r.actor_label,
      details: r.details,
    }));
    const last = (k: StepKind, after = -1) => {
      for (let i = history.length - 1; i > after; i--) if (history[i]!.step === k) return { s: history[i]!, i };
      return null;
    };
    const responsibility = last('responsibility');
    const proposal = last('proposal');
    // Opinions, agreement and approval count only for the proposal now on the table.
    const legalReview = proposal ? last('legal_review', proposal.i) : null;
    const ownerAgreement = proposal ? last('owner_agreement', proposal.i) : null;
    const approval = proposal ? last('approval', proposal.i) : null;
    const notOurs = responsibility && ['owner', 'third_party'].includes(String(responsibility.s.details.party));
    const missing: string[] = [];
    if (!responsibility) missing.push('判定责任 responsibility');
    else if (!notOurs) {
      if (!proposal) missing.push('赔偿方案 proposal');
      if (!ownerAgreement?.s.details.agreed) missing.push('客户认可 owner agreement');
      if (!approval?.s.details.approved) missing.push('领导批复 approval');
    }
    return {
      caseId: c.id,
      number: c.number,
      responsibility: responsibility?.s ?? null,
      proposal: proposal?.s ?? null,
      legalReview: legalReview?.s ?? null,
      ownerAgreement: ownerAgreement?.s ?? null,
      approval: approval?.s ?? null,
      chargeBacks: history.filter((h) => h.step === 'charge_back'),
      history,
      missing,
    };
  }
}
