import { z } from 'zod';

const note = z.string().trim().max(5000).nullable().default(null);
const yuan = z.number().nonnegative().max(100_000_000).multipleOf(0.01);

/**
 * The recorded steps of a compensation claim (索赔, 003 §9.4, §12.3; flow SM03-03): who decided what, when.
 * Each is one event on the case's timeline.
 */
export const claimStepSchema = z.discriminatedUnion('step', [
  /** 客户服务部判定责任: ours (the company's or a contractor's) or not ours (explained to the customer and filed). */
  z.object({
    step: z.literal('responsibility'),
    party: z.enum(['company', 'contractor', 'owner', 'third_party']),
    contractor: z.string().trim().min(1).max(200).nullable().default(null),
    note,
  }),
  /** 初步拟定赔偿方案 (again after the customer or the leadership refused one). */
  z.object({
    step: z.literal('proposal'),
    amount: yuan,
    plan: z.string().trim().min(2, '请填写赔偿方案 (the plan is required)').max(10_000),
  }),
  /** 咨询律师意见. */
  z.object({
    step: z.literal('legal_review'),
    lawyer: z.string().trim().min(1).max(200),
    opinion: z.string().trim().min(2, '请填写律师意见 (the opinion is required)').max(10_000),
    supportsProposal: z.boolean(),
  }),
  /** 与客户协商: the customer accepts the current proposal, or not (a new proposal, or the courts). */
  z.object({ step: z.literal('owner_agreement'), agreed: z.boolean(), note }),
  /** 报主管领导批复: vice GM or GM only. */
  z.object({ step: z.literal('approval'), approved: z.boolean(), note }),
  /** 扣款申请: the amount charged back to the contractor responsible (from its payments or retention money). */
  z.object({
    step: z.literal('charge_back'),
    contractor: z.string().trim().min(1).max(200),
    amount: yuan,
    noticeNumber: z.string().trim().min(1).max(60).nullable().default(null),
  }),
]);
export type ClaimStep = z.output<typeof claimStepSchema>;
