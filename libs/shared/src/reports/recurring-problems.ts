import type { EntityManager } from 'typeorm';
import type { AppConfig } from '../config';
import type { CaseCategory } from '../database/entities';
import { problemWords } from '../text/segment';
import { unitLabelSql } from '../units/unit-label.sql';

type Queryable = Pick<EntityManager, 'query'>;

export type RecurringKind = 'unit' | 'building' | 'category' | 'word';
export const recurringKinds: readonly RecurringKind[] = ['unit', 'building', 'category', 'word'];

const categoryLabel: Record<CaseCategory, string> = {
  engineering_quality: '工程质量',
  planning_design: '规划设计',
  sales: '销售管理',
  property_management: '物业管理',
  customer_service: '客户服务',
  other: '其他',
};

/** A report period: [start, end) instants (a week, a month, a quarter, a year). */
export interface RecurringPeriod {
  start: Date;
  end: Date;
}

export interface RecurringThresholds {
  lookbackMonths: number;
  minMonths: number;
  minCases: Record<RecurringKind, number>;
}

export function thresholdsFrom(c: AppConfig): RecurringThresholds {
  return {
    lookbackMonths: c.RECURRING_LOOKBACK_MONTHS,
    minMonths: c.RECURRING_MIN_MONTHS,
    minCases: {
      unit: c.RECURRING_UNIT_MIN_CASES,
      building: c.RECURRING_BUILDING_MIN_CASES,
      category: c.RECURRING_CATEGORY_MIN_CASES,
      word: c.RECURRING_WORD_MIN_CASES,
    },
  };
}

export interface ExampleCase {
  caseId: string;
  number: string;
  receivedAt: Date;
  excerpt: string;
}

export interface CorrectiveActionRow {
  id: string;
  problemKey: string;
  problemLabel: string;
  action: string;
  departmentId: string;
  department: string;
  dueOn: string;
  status: 'open' | 'in_progress' | 'done' | 'cancelled';
  result: string | null;
  overdue: boolean;
  finishedAt: Date | null;
  createdAt: Date;
}

export interface RecurringProblem {
  /** Stable across periods: `unit:<id>`, `building:<id>`, `category:<projectId|none>:<category>`, `word:<word>`. */
  key: string;
  kind: RecurringKind;
  label: string;
  estate: string | null;
  /** Cases in the window, and of those in the period. */
  cases: number;
  inPeriod: number;
  /** The distinct months (YYYY-MM, business time zone) the cases fall in, oldest first. */
  months: string[];
  /** The newest three. */
  examples: ExampleCase[];
  /** The action in force on this problem, else the latest one taken. */
  action: CorrectiveActionRow | null;
}

export interface RecurringProblemsSection {
  period: RecurringPeriod;
  window: RecurringPeriod;
  thresholds: RecurringThresholds;
  problems: RecurringProblem[];
  /** Follow-up: every action in force (open, in progress), and those finished or cancelled in the period. */
  actions: CorrectiveActionRow[];
  totals: Record<RecurringKind, number> & { problems: number; actionsInForce: number; actionsOverdue: number };
}

interface CaseRow {
  id: string;
  number: string;
  receivedAt: Date;
  month: string;
  inPeriod: boolean;
  unitId: string | null;
  unitLabel: string | null;
  buildingId: string | null;
  buildingName: string | null;
  projectId: string | null;
  estate: string | null;
  category: CaseCategory | null;
  description: string;
}

/** Problem words listed at most (the most frequent): the list is read by people. */
const WORD_LIMIT = 20;

export const ACTION_SELECT = `
SELECT a.id, a.problem_key AS "problemKey", a.problem_label AS "problemLabel", a.action, a.department_id AS "departmentId",
       d.name AS department, to_char(a.due_on, 'YYYY-MM-DD') AS "dueOn", a.status, a.result,
       (a.status IN ('open', 'in_progress') AND a.due_on < (now() AT TIME ZONE $TZ)::date) AS overdue,
       a.finished_at AS "finishedAt", a.created_at AS "createdAt"
  FROM corrective_actions a JOIN departments d ON d.id = a.department_id`;

/**
 * 重复/共性问题 for a period: complaint-like cases (complaint, repair, claim; not judged invalid) received in the
 * window — the period's last month and the RECURRING_LOOKBACK_MONTHS − 1 before it, or the period itself if longer —
 * grouped by unit, building, estate + category, and problem word (jieba over the description). A group is a recurring
 * problem when it reaches its kind's case count, spans RECURRING_MIN_MONTHS months and has a case in the period.
 */
export async function recurringProblemsSection(
  m: Queryable,
  config: AppConfig,
  period: RecurringPeriod,
): Promise<RecurringProblemsSection> {
  const tz = config.BUSINESS_TIME_ZONE;
  const t = thresholdsFrom(config);
  const [{ windowStart }] = await m.query<[{ windowStart: Date }]>(
    `SELECT least($1::timestamptz, (date_trunc('month', ($2::timestamptz - interval '1 microsecond') AT TIME ZONE $3)
              - make_interval(months => $4::int - 1)) AT TIME ZONE $3) AS "windowStart"`,
    [period.start, period.end, tz, t.lookbackMonths],
  );
  const rows = await m.query<CaseRow[]>(
    `SELECT c.id, c.number, c.received_at AS "receivedAt", to_char(c.received_at AT TIME ZONE $4, 'YYYY-MM') AS month,
            c.received_at >= $2 AS "inPeriod", c.unit_id AS "unitId",
            CASE WHEN u.id IS NOT NULL THEN ${unitLabelSql('u', 'b')} END AS "unitLabel",
            u.building_id AS "buildingId", b.name AS "buildingName", c.project_id AS "projectId", p.name AS estate,
            c.category, left(c.description, 500) AS description
       FROM cases c
       LEFT JOIN units u ON u.id = c.unit_id
       LEFT JOIN buildings b ON b.id = u.building_id
       LEFT JOIN projects p ON p.id = c.project_id
      WHERE c.received_at >= $1 AND c.received_at < $3
        AND c.type IN ('complaint', 'repair', 'claim') AND c.validity <> 'invalid'
      ORDER BY c.received_at DESC, c.id`,
    [windowStart, period.start, period.end, tz],
  );

  const groups = new Map<string, { kind: RecurringKind; label: string; estate: string | null; cases: CaseRow[] }>();
  const add = (key: string, kind: RecurringKind, label: string, estate: string | null, c: CaseRow) => {
    const g = groups.get(key) ?? { kind, label, estate, cases: [] };
    g.cases.push(c);
    groups.set(key, g);
  };
  for (const c of rows) {
    const estate = c.estate;
    if (c.unitId) add(`unit:${c.unitId}`, 'unit', `${estate ?? ''}${c.unitLabel ?? ''}`, estate, c);
    if (c.buildingId) add(`building:${c.buildingId}`, 'building', `${estate ?? ''}${c.buildingName ?? ''}`, estate, c);
    if (c.category)
      add(
        `category:${c.projectId ?? 'none'}:${c.category}`,
        'category',
        `${estate ?? '未关联楼盘'} · ${categoryLabel[c.category]}`,
        estate,
        c,
      );
    for (const w of problemWords(c.description)) add(`word:${w}`, 'word', w, null, c);
  }

  const problems: RecurringProblem[] = [];
  for (const [key, g] of groups) {
    const months = [...new Set(g.cases.map((c) => c.month))].sort();
    const inPeriod = g.cases.filter((c) => c.inPeriod).length;
    if (g.cases.length < t.minCases[g.kind] || months.length < t.minMonths || inPeriod === 0) continue;
    problems.push({
      key,
      kind: g.kind,
      label: g.label,
      estate: g.estate,
      cases: g.cases.length,
      inPeriod,
      months,
      examples: g.cases.slice(0, 3).map((c) => ({
        caseId: c.id,
        number: c.number,
        receivedAt: c.receivedAt,
        excerpt: c.description.slice(0, 60),
      })),
      action: null,
    });
  }
  problems.sort(
    (a, b) =>
      recurringKinds.indexOf(a.kind) - recurringKinds.indexOf(b.kind) || b.cases - a.cases || (a.key < b.key ? -1 : 1),
  );
  const listed = problems.filter((p, i, all) => p.kind !== 'word' || all.indexOf(p) - firstWord(all) < WORD_LIMIT);

  const actions = await m.query<CorrectiveActionRow[]>(
    `${ACTION_SELECT.replaceAll('$TZ', '$3')}
      WHERE a.problem_key = ANY($1::text[]) OR a.status IN ('open', 'in_progress')
         OR (a.finished_at >= $2 AND a.finished_at < $4)
      ORDER BY a.status IN ('open', 'in_progress') DESC, a.due_on, a.created_at DESC`,
    [listed.map((p) => p.key), period.start, tz, period.end],
  );
  for (const p of listed) {
    const mine = actions.filter((a) => a.problemKey === p.key);
    p.action =
      mine.find((a) => a.status === 'open' || a.status === 'in_progress') ??
      mine.sort((a, b) => +b.createdAt - +a.createdAt)[0] ??
      null;
  }
  const followUp = actions.filter(
    (a) =>
      a.status === 'open' ||
      a.status === 'in_progress' ||
      (a.finishedAt !== null && a.finishedAt >= period.start && a.finishedAt < period.end),
  );
  const count = (k: RecurringKind) => listed.filter((p) => p.kind === k).length;
  return {
    period,
    window: { start: windowStart, end: period.end },
    thresholds: t,
    problems: listed,
    actions: followUp,
    totals: {
      problems: listed.length,
      unit: count('unit'),
      building: count('building'),
      category: count('category'),
      word: count('word'),
      actionsInForce: followUp.filter((a) => a.status === 'open' || a.status === 'in_progress').length,
      actionsOverdue: followUp.filter((a) => a.overdue).length,
    },
  };
}

function firstWord(all: readonly RecurringProblem[]): number {
  const i = all.findIndex((p) => p.kind === 'word');
  return i < 0 ? all.length : i;
}
