// @ts-check
// The API's vocabularies the console offers in its dropdowns (libs/shared/src/database/entities/enums.ts), in
// the order they are offered. One copy for every page.

/** Case types. */
export const caseTypes = ['complaint', 'repair', 'enquiry', 'suggestion', 'claim'];
/** Case categories (001 客户投诉管理流程 §3). */
export const caseCategories = [
  'engineering_quality',
  'planning_design',
  'sales',
  'property_management',
  'customer_service',
  'other',
];
