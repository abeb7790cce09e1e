import type { CaseCategory, CaseSeverity, CaseType } from '@kefu/shared';
import { foldText } from '@kefu/shared';

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
  // ── type: the highest total weight wins; ties go to claim > complaint > repair > suggestion > enquiry.
  // 索赔 needs legal review (003 §9.4), so any compensation word makes it a claim.
  {
    id: 'type.claim',
    field: 'type',
    value: 'claim',
    weight: 5,
    keywords: ['赔偿', '索赔', '赔付', '损失费', '补偿', '要求赔', '赔钱'],
  },
  {
    id: 'type.complaint',
    field: 'type',
    value: 'complaint',
    weight: 4,
    keywords: ['投诉', '举报', '曝光', '维权', '多次报修', '报修多次', '多次反映'],
  },
  {
    id: 'type.complaint.grievance',
    field: 'type',
    value: 'complaint',
    weight: 2,
    keywords: [
      '不满',
      '差劲',
      '太差',
      '很差',
      '气愤',
      '愤怒',
      '过分',
      '欺骗',
      '忽悠',
      '敷衍',
      '推诿',
      '不作为',
      '没人管',
      '没人处理',
      '无人处理',
      '不负责',
      '失望',
      '恶劣',
      '无法接受',
      '讨个说法',
      '给个说法',
    ],
  },
  {
    id: 'type.repair',
    field: 'type',
    value: 'repair',
    weight: 3,
    keywords: ['报修', '维修', '修理', '来修', '修一下', '修好', '帮忙修', '检修'],
  },
  {
    id: 'type.repair.symptom',
    field: 'type',
    value: 'repair',
    weight: 1,
    keywords: [
      '漏水',
      '渗水',
      '渗漏',
      '滴水',
      '坏了',
      '损坏',
      '故障',
      '堵塞',
      '堵了',
      '裂缝',
      '开裂',
      '脱落',
      '空鼓',
      '发霉',
      '松动',
      '跳闸',
      '停电',
      '断电',
      '没电',
      '停水',
      '没水',
      '不亮',
      '打不开',
      '关不上',
      '更换',
    ],
  },
  {
    id: 'type.enquiry',
    field: 'type',
    value: 'enquiry',
    weight: 2,
    keywords: [
      '咨询',
      '请问',
      '想了解',
      '想问',
      '问一下',
      '什么时候',
      '如何办理',
      '怎么办理',
      '怎样办理',
      '办证',
      '需要什么',
      '多久',
      '能否告知',
      '是否可以',
      '流程',
      '维修基金',
    ],
  },
  {
    id: 'type.suggestion',
    field: 'type',
    value: 'suggestion',
    weight: 2,
    keywords: ['建议', '希望增加', '希望能', '提议', '申请', '可否增设', '能否增加', '增设'],
  },
  { id: 'type.suggestion.weak', field: 'type', value: 'suggestion', weight: 1, keywords: ['意见'] },

  // ── category (001 §3): the most keywords win; ties go in the order of this table.
  {
    id: 'category.engineering_quality',
    field: 'category',
    value: 'engineering_quality',
    keywords: [
      '漏水',
      '渗水',
      '渗漏',
      '裂缝',
      '开裂',
      '空鼓',
      '墙皮',
      '脱落',
      '起皮',
      '门窗',
      '窗户',
      '管道',
      '水管',
      '下水',
      '排水',
      '防水',
      '返潮',
      '发霉',
      '墙面',
      '地板',
      '瓷砖',
      '外墙',
      '天花',
      '吊顶',
      '沉降',
      '跳闸',
      '插座',
      '电路',
      '工程质量',
      '房屋质量',
      '施工质量',
      '质量问题',
      '工程',
      '精装',
      '保修',
    ],
  },
  {
    id: 'category.property_management',
    field: 'category',
    value: 'property_management',
    keywords: [
      '物业',
      '保安',
      '保洁',
      '电梯',
      '停车',
      '车库',
      '垃圾',
      '噪音',
      '管理费',
      '物业费',
      '绿化养护',
      '门禁',
      '监控',
      '环境卫生',
      '卫生差',
      '打扫',
      '清洁',
      '快递',
      '装修管理',
      '消防通道',
      '路灯',
      '停电',
      '停水',
      '宠物',
      '遛狗',
      '违建',
      '私搭乱建',
      '管家',
    ],
  },
  {
    id: 'category.sales',
    field: 'category',
    value: 'sales',
    keywords: [
      '合同',
      '销售',
      '置业顾问',
      '首付',
      '按揭',
      '贷款',
      '交房时间',
      '延期交房',
      '承诺',
      '宣传',
      '定金',
      '订金',
      '认购',
      '网签',
      '退房',
      '房款',
      '购房',
      '售楼',
      '交付标准',
      '办证',
      '产权证',
      '房产证',
      '不动产权证',
      '契税',
      '维修基金',
    ],
  },
  {
    id: 'category.planning_design',
    field: 'category',
    value: 'planning_design',
    keywords: [
      '规划',
      '设计',
      '户型',
      '采光',
      '绿化',
      '车位规划',
      '容积率',
      '楼间距',
      '日照',
      '朝向',
      '配套',
      '景观',
      '遮挡',
      '挡光',
      '层高',
    ],
  },
  {
    id: 'category.customer_service',
    field: 'category',
    value: 'customer_service',
    keywords: [
      '客服',
      '态度',
      '接待',
      '回复慢',
      '没人接',
      '投诉无果',
      '打不通',
      '不回复',
      '没有回复',
      '没人回复',
      '没有答复',
      '踢皮球',
      '热线',
      '回访',
    ],
  },
  {
    id: 'category.other',
    field: 'category',
    value: 'other',
    keywords: [
      '施工单位',
      '噪声',
      '环境',
      '周边',
      '工地',
      '污染',
      '粉尘',
      '市政',
      '修路',
      '地铁',
      '学校',
      '第三方',
      '合作单位',
    ],
  },

  // ── severity (004 篇2 §1): one major keyword makes it major; otherwise minor.
  {
    id: 'severity.major.injury',
    field: 'severity',
    value: 'major',
    keywords: [
      '受伤',
      '摔伤',
      '砸伤',
      '烫伤',
      '割伤',
      '骨折',
      '流血',
      '住院',
      '触电',
      '漏电',
      '起火',
      '着火',
      '火灾',
      '爆炸',
      '燃气泄漏',
      '燃气泄露',
      '煤气泄漏',
      '煤气泄露',
      '燃气味',
      '煤气味',
      '闻到燃气',
      '闻到煤气',
      '坍塌',
      '倒塌',
      '掉落砸',
      '高空坠物',
      '砸到',
      '被困',
      '困人',
      '人身安全',
      '生命危险',
    ],
  },
  {
    id: 'severity.major.loss',
    field: 'severity',
    value: 'major',
    keywords: ['重大损失', '损失惨重', '巨大损失', '严重损失', '财产损失', '泡坏', '泡烂', '被泡', '水淹', '被淹'],
  },
  {
    id: 'severity.major.repeated',
    field: 'severity',
    value: 'major',
    keywords: [
      '多次',
      '反复',
      '屡次',
      '三番五次',
      '好几次',
      '一直没人处理',
      '一直没有处理',
      '一直未处理',
      '一直没人',
      '至今未',
      '至今没有',
      '仍未解决',
      '还没解决',
      '迟迟',
    ],
  },
  {
    id: 'severity.major.neighbour',
    field: 'severity',
    value: 'major',
    keywords: [
      '邻居干扰',
      '邻居家',
      '邻居装修',
      '邻居噪音',
      '楼上邻居',
      '楼下邻居',
      '隔壁装修',
      '隔壁噪音',
      '楼上漏水',
      '楼上渗水',
      '楼上噪音',
      '楼上装修',
      '楼上住户',
      '楼下住户',
      '扰民',
      '第三方',
    ],
  },
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
