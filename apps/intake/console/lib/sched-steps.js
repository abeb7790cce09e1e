// @ts-check
import { getLang } from './i18n.js';

/** English names of the scheduler's deadline steps; Chinese comes from the API (`stepLabel`). */
const en = /** @type {Record<string, string>} */ ({
  firstReply: 'Reply to the customer (promised date)',
  departmentPlan: 'Department reply and plan',
  departmentAnalysis: 'Department analysis and plan',
  reportToHead: 'Report a major complaint to the head',
  solution: 'Agree a solution with the customer',
  engineerContact: 'Engineer contacts the owner',
  siteSurvey: 'Site survey',
});

/** A deadline step for people: the API's Chinese label, or its English name. @param {string} step @param {string} zhLabel */
export const stepName = (step, zhLabel) => (getLang() === 'en' ? (en[step] ?? step) : zhLabel);
