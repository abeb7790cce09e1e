import type { CaseCategory, CaseSeverity, CaseType } from '@kefu/shared';
import { foldText } from '@kefu/shared';
import { categoryRules } from './classifier-category.rules';
import { severityRules } from './classifier-severity.rules';
import { typeRules } from './classifier-type.rules';

export interface Classification {
  type: CaseType;
  category: CaseCategory | null;
  severity: CaseSeverity;
  /** Ids of the rules that fired, e.g. 'type.repair:漏水', 'severity.major:触电', 'category.property_management:保安'. */
  rules: string[];
}
/** A field the keyword rules set and staff or a channel may override. */
export type ClassifiedField = 'type' | 'category' | 'severity';

/**
 * The rule recorded when staff ('manual') or the channel ('channel', e.g. the web form's chosen type) sets a
 * field other than the keyword rules would. WARNING: persisted in cases.classification_rules and translated by the
 * console (lib/terms.js): add forms, never rename them.
 */
export const overrideRule = (by: 'manual' | 'channel', field: ClassifiedField): string => `${by}.${field}`;

export interface ClassificationRule {
  id: string;
  field: ClassifiedField;
  value: string;
  keywords: string[];
  weight?: number;
}

/**
 * The rule table itself is exported so staff and tests can read it: transparent, no ML.
 * A keyword fires when it occurs in the text (simplified or traditional, any width), unless a
 * negation stands right before it ('没有漏电'). Within one field a longer keyword hides a shorter
 * one inside it ('维修基金' is not '维修', '绿化养护' is not '绿化'). A fired keyword is reported
 * as '<field>.<value>:<keyword>', whichever rule of that value it belongs to.
 */
export const classificationRules: readonly ClassificationRule[] = Object.freeze([
  ...typeRules,
  ...categoryRules,
  ...severityRules,
] satisfies ClassificationRule[]);

// Lower ranks win ties (claim needs legal review; a complaint must not be missed as something lighter).
const TYPE_PRIORITY: readonly CaseType[] = ['claim', 'complaint', 'repair', 'suggestion', 'enquiry'];
const CATEGORY_PRIORITY: readonly CaseCategory[] = [
  'engineering_quality',
  'property_management',
  'sales',
  'planning_design',
  'customer_service',
  'other',
];
/** When no type keyword fires: complaint, the type with the strictest handling; staff can downgrade it. */
export const DEFAULT_TYPE: CaseType = 'complaint';

// A negation just before the keyword, optionally with a filler: '没有漏电', '无人受伤', '未造成人员受伤'.
const NEGATED = /(?:没有|没|无|未|并未|并非|不是|不存在|不会)(?:任何)?(?:人员?|造成(?:人员)?|发生|出现)?$/;
const NEGATION_WINDOW = 8;

interface Occurrence {
  rule: ClassificationRule;
  keyword: string;
  start: number;
  end: number;
}

function occurrences(text: string, rules: readonly ClassificationRule[]): Occurrence[] {
  const out: Occurrence[] = [];
  for (const rule of rules) {
    for (const keyword of rule.keywords) {
      for (let at = text.indexOf(keyword); at >= 0; at = text.indexOf(keyword, at + 1))
        out.push({ rule, keyword, start: at, end: at + keyword.length });
    }
  }
  return out;
}

/** Keywords that fire for one field: not inside a longer keyword of the same field, not negated. */
function fired(text: string, field: ClassificationRule['field']): Occurrence[] {
  const all = occurrences(
    text,
    classificationRules.filter((r) => r.field === field),
  );
  const live = all.filter(
    (o) => !all.some((p) => p !== o && p.keyword.length > o.keyword.length && p.start <= o.start && o.end <= p.end),
  );
  const kept = live.filter((o) => !NEGATED.test(text.slice(Math.max(0, o.start - NEGATION_WINDOW), o.start)));
  // Once per rule and keyword, in order of appearance.
  const seen = new Set<string>();
  return kept
    .sort((a, b) => a.start - b.start)
    .filter((o) => {
      const key = `${o.rule.id}:${o.keyword}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** The value with the highest total weight; ties by priority; null when nothing fired. */
function best<T extends string>(hits: Occurrence[], priority: readonly T[]): T | null {
  const score = new Map<string, number>();
  for (const h of hits) score.set(h.rule.value, (score.get(h.rule.value) ?? 0) + (h.rule.weight ?? 1));
  let winner: T | null = null;
  for (const value of priority) {
    const s = score.get(value) ?? 0;
    if (s > 0 && (winner === null || s > (score.get(winner) ?? 0))) winner = value;
  }
  return winner;
}

const ruleId = (o: Occurrence): string => `${o.rule.field}.${o.rule.value}:${o.keyword}`;

export function classify(text: string, hints?: { type?: CaseType }): Classification {
  const t = foldText(text).toLowerCase();
  const typeHits = fired(t, 'type');
  const categoryHits = fired(t, 'category');
  const severityHits = fired(t, 'severity');
  const rules = [...typeHits, ...categoryHits, ...severityHits].map(ruleId);

  let type = best(typeHits, TYPE_PRIORITY);
  if (hints?.type) {
    // Staff's type wins; the keyword rules above are still reported.
    type = hints.type;
    rules.push(`type.hint:${hints.type}`);
  } else if (type === null) {
    type = DEFAULT_TYPE;
    rules.push(`type.default:${DEFAULT_TYPE}`);
  }
  return {
    type,
    category: best(categoryHits, CATEGORY_PRIORITY),
    severity: severityHits.length > 0 ? 'major' : 'minor',
    rules: [...new Set(rules)],
  };
}
