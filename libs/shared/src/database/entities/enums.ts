/** Domain vocabularies (DOMAIN.md). Stored as varchar with CHECK constraints, so adding a value is a plain migration. */
export const staffRoles = ['operator', 'cs_rep', 'dept_manager', 'vice_gm', 'gm', 'admin'] as const;
export type StaffRole = (typeof staffRoles)[number];

/** 投诉 complaint, 报修 repair, 咨询 enquiry, 建议/申请 suggestion, 索赔 claim (003 SM03-02, §9.4). */
export const caseTypes = ['complaint', 'repair', 'enquiry', 'suggestion', 'claim'] as const;
export type CaseType = (typeof caseTypes)[number];

/** 工程质量, 规划设计, 销售管理, 物业管理, 客户服务, 其他 (001 §3). */
export const caseCategories = [
  'engineering_quality',
  'planning_design',
  'sales',
  'property_management',
  'customer_service',
  'other',
] as const;
export type CaseCategory = (typeof caseCategories)[number];

/** 轻微 minor, 重大 major (004 篇2 §1). */
export const caseSeverities = ['minor', 'major'] as const;
export type CaseSeverity = (typeof caseSeverities)[number];

/** 有效 valid, 无效 invalid; pending until customer service has judged it. */
export const caseValidities = ['pending', 'valid', 'invalid'] as const;
export type CaseValidity = (typeof caseValidities)[number];

export const caseChannels = ['hotline', 'email', 'fax', 'web', 'suggestion_box', 'walk_in'] as const;
export type CaseChannel = (typeof caseChannels)[number];

export const caseStatuses = [
  'new',
  'accepted',
  'assigned',
  'replied',
  'resolved',
  'return_visited',
  'closed',
  'rejected',
] as const;
export type CaseStatus = (typeof caseStatuses)[number];

/** 毛坯 rough shell, 精装 fitted out. */
export const unitFinishes = ['rough', 'fitted'] as const;
export type UnitFinish = (typeof unitFinishes)[number];

export const notifyChannels = ['sms', 'email', 'letter'] as const;
export type NotifyChannel = (typeof notifyChannels)[number];

export const ownerRelations = ['owner', 'co_owner'] as const;
export type OwnerRelation = (typeof ownerRelations)[number];

/**
 * A repair's standing against the warranty catalogue (000 §6.5.1(2), 003 §11.2.4): decided at intake from the
 * unit's handover date, correctable by staff. unknown: no unit, no handover date, or no catalogue item fits.
 */
export const warrantyStatuses = ['in_warranty', 'out_of_warranty', 'unknown'] as const;
export type WarrantyStatus = (typeof warrantyStatuses)[number];

/** The highest escalation level a chain may have (levels 1..MAX of escalation_levels; 0 is the person responsible). */
export const MAX_ESCALATION_LEVEL = 6;

/** SQL CHECK expression for a varchar column restricted to a vocabulary. */
export function inList(column: string, values: readonly string[]): string {
  return `"${column}" IN (${values.map((v) => `'${v}'`).join(', ')})`;
}
