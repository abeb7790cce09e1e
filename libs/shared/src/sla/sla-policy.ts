import { z } from 'zod';

export const durationUnits = ['minutes', 'hours', 'working_hours', 'days', 'working_days'] as const;
export type DurationUnit = (typeof durationUnits)[number];

const wholeUnits: ReadonlySet<DurationUnit> = new Set(['days', 'working_days']);

/** A configurable time limit, e.g. { amount: 2, unit: 'working_days' }. Hours and minutes may be fractional. */
export const durationSchema = z
  .strictObject({ amount: z.number().positive().finite(), unit: z.enum(durationUnits) })
  .refine((d) => !wholeUnits.has(d.unit) || Number.isInteger(d.amount), {
    message: 'days and working_days must be whole numbers',
    path: ['amount'],
  });
export type Duration = z.output<typeof durationSchema>;

/** Lead time counted back from a date, where "2 months" must mean calendar months. */
export const leadTimeSchema = z.strictObject({ amount: z.number().int().positive(), unit: z.enum(['days', 'months']) });
export type LeadTime = z.output<typeof leadTimeSchema>;

/**
 * Every time limit of DOMAIN.md "Deadlines", one place for intake and scheduler. Objects are
 * strict so a misspelt key in SLA_POLICY is reported instead of silently ignored.
 */
export const slaPolicySchema = z.strictObject({
  /** A department that took a complaint not its own hands it to CS (003 §9.2.4). */
  transferToCs: durationSchema,
  /** A department that handled a complaint about itself files it with CS, from completion (003 §9.2.4). */
  selfHandledFiling: durationSchema,
  /** Responsible department replies to the customer and proposes a plan (003 §9.3.2). */
  departmentPlan: durationSchema,
  minor: z.strictObject({
    /** First feedback to the customer (004 篇2 §4.C). */
    firstFeedback: durationSchema,
    /** Responsible department analyses and fills in its plan, counted from the hand-over to it (004 篇2 §4.D). */
    departmentAnalysis: durationSchema,
    /** A complaint still unresolved this long after receipt becomes major (004 篇2 §1). */
    upgradeToMajor: durationSchema,
  }),
  major: z.strictObject({
    /** Report to the department head (004 篇2 §5.A). */
    reportToHead: durationSchema,
    /** Solution agreed with the customer (004 篇2 §5.B). */
    solution: durationSchema,
  }),
  repair: z.strictObject({
    /** Engineer contacts the owner (001 万科保修服务). */
    engineerContact: durationSchema,
    /** Site survey, unless a time is agreed with the owner (003 §11.2.2). */
    siteSurvey: durationSchema,
    /** After the repair is finished, ask the owner to inspect (000 §6.5.1(3)). */
    inspectionNotice: durationSchema,
    /** Return visit after the repair (000 §6.5.1(4); 003 §11.2.10.3 says one week too). */
    returnVisit: durationSchema,
  }),
  /** Return visit after a complaint is closed (004 篇2 回访 §1). */
  complaintReturnVisit: durationSchema,
  /**
   * Times the promised reply date may be moved (002 §7.4.2); after the last missed date the case
   * goes to the GM. Capped at 2 because cases.reply_date_moves has CHECK BETWEEN 0 AND 2.
   */
  maxReplyDateMoves: z.number().int().min(0).max(2),
  reminder: z.strictObject({
    /** Window for the assignee to acknowledge a reminder before it escalates. */
    acknowledge: durationSchema,
    /** The same for major complaints, matching the 10-minute report-to-head rule. */
    acknowledgeMajor: durationSchema,
  }),
  /**
   * Warranty-expiry reminder before the main facilities' warranty ends (000 §6.6.3): the lead time a new
   * catalogue item gets unless it says otherwise (warranty_items.months_ahead, whole months 0–24).
   */
  warrantyNoticeLead: leadTimeSchema
    .refine((l) => l.unit === 'months', {
      message: 'must be months: catalogue items hold months_ahead in months',
      path: ['unit'],
    })
    .refine((l) => l.amount <= 24, { message: 'at most 24 months (warranty_items.months_ahead)', path: ['amount'] }),
});
export type SlaPolicy = z.output<typeof slaPolicySchema>;

/** The seeds' figures; each company overrides what differs through SLA_POLICY. */
export const defaultSlaPolicy: SlaPolicy = deepFreeze<SlaPolicy>({
  transferToCs: { amount: 1, unit: 'working_days' },
  selfHandledFiling: { amount: 2, unit: 'working_days' },
  departmentPlan: { amount: 2, unit: 'working_days' },
  minor: {
    firstFeedback: { amount: 24, unit: 'hours' },
    departmentAnalysis: { amount: 1, unit: 'hours' },
    upgradeToMajor: { amount: 10, unit: 'days' },
  },
  major: { reportToHead: { amount: 10, unit: 'minutes' }, solution: { amount: 12, unit: 'hours' } },
  repair: {
    engineerContact: { amount: 24, unit: 'hours' },
    siteSurvey: { amount: 2, unit: 'working_days' },
    inspectionNotice: { amount: 2, unit: 'days' },
    returnVisit: { amount: 7, unit: 'days' },
  },
  complaintReturnVisit: { amount: 24, unit: 'hours' },
  maxReplyDateMoves: 2,
  reminder: { acknowledge: { amount: 2, unit: 'working_hours' }, acknowledgeMajor: { amount: 10, unit: 'minutes' } },
  warrantyNoticeLead: { amount: 2, unit: 'months' },
});

// Frozen so no caller can change the defaults for everyone else in the process.
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) Object.values(value).forEach(deepFreeze);
  return Object.freeze(value);
}

export class SlaPolicyError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid SLA_POLICY (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  - ${problems.join('\n  - ')}`,
    );
    this.name = 'SlaPolicyError';
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Objects merge key by key; anything else in the override replaces the default. */
function deepMerge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = key in base ? deepMerge(base[key], value) : value;
  return out;
}

/**
 * The effective policy: config SLA_POLICY (a partial JSON object) merged onto the defaults and
 * validated. Throws one SlaPolicyError naming every bad key, e.g. `repair.siteSurvey.unit`.
 */
export function resolveSlaPolicy(overrides?: Record<string, unknown>): SlaPolicy {
  const merged = overrides === undefined ? defaultSlaPolicy : deepMerge(defaultSlaPolicy, overrides);
  const result = slaPolicySchema.safeParse(merged);
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap((issue) => {
    const at = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => `${at ? `${at}.` : ''}${k}: unknown key`);
    return [`${at || '(root)'}: ${issue.message}`];
  });
  throw new SlaPolicyError(problems);
}
