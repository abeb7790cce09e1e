// @ts-check
// A repair's warranty standing on the case page (case.warranty of GET /cases/:id; decided at intake and
// corrected by staff: apps/intake/src/cases/warranty), as one line of the case facts, both languages.
import { api } from './api.js';
import { html } from './html.js';
import { register, t } from './i18n.js';

const statuses = ['in_warranty', 'out_of_warranty', 'unknown'];

register({
  zh: {
    'case-detail.fact.warranty': '保修',
    'case-warranty.in_warranty': '在保修期内',
    'case-warranty.out_of_warranty': '已过保修期',
    'case-warranty.unknown': '未知',
    'case-warranty.item': '（{item}，至 {date}）',
    'case-detail.event.warranty_overridden': '修改保修判定',
    'case-detail.tr.correctWarranty': '修改保修判定',
    'case-warranty.field.status': '保修判定',
    'case-warranty.field.item': '保修项目',
    'case-warranty.noItem': '（不指定项目）',
    'case-warranty.field.expiresOn': '保修到期日',
    'case-warranty.expiresHint': '换了保修项目而不填日期时，按该房号的交付日期和项目的保修期计算。',
    'case-warranty.reasonHint': '理由记入处理经过。',
  },
  en: {
    'case-detail.fact.warranty': 'Warranty',
    'case-warranty.in_warranty': 'In warranty',
    'case-warranty.out_of_warranty': 'Out of warranty',
    'case-warranty.unknown': 'Unknown',
    'case-warranty.item': ' ({item}, until {date})',
    'case-detail.event.warranty_overridden': 'Warranty standing corrected',
    'case-detail.tr.correctWarranty': 'Correct the warranty standing',
    'case-warranty.field.status': 'Warranty standing',
    'case-warranty.field.item': 'Warranty item',
    'case-warranty.noItem': '(no item)',
    'case-warranty.field.expiresOn': 'Warranty ends on',
    'case-warranty.expiresHint':
      "With another item and no date, the date follows from the unit's handover date and the item's period.",
    'case-warranty.reasonHint': 'The reason goes on the timeline.',
  },
});

/**
 * The facts row for a case's warranty standing, e.g. 在保修期内（卫生间、房间防渗漏，至 2029-03-01）; none
 * when it was never decided (not a repair at intake).
 * @param {{ status: string, itemCode: string | null, itemName: string | null, expiresOn: string | null } | null | undefined} w
 * @returns {Array<[string, string]>}
 */
export function warrantyFacts(w) {
  if (!w) return [];
  const status = t(`case-warranty.${w.status}`);
  const item = w.itemName ?? w.itemCode;
  return [
    [
      'warranty',
      w.status !== 'unknown' && item && w.expiresOn
        ? status + t('case-warranty.item', { item, date: w.expiresOn })
        : status,
    ],
  ];
}

/**
 * A warranty_overridden event's change in words, e.g. 已过保修期 → 在保修期内 (the reason is its own line).
 * @param {{ from?: { status?: string | null }, to?: { status?: string | null } }} d
 */
export function warrantyChange(d) {
  /** @param {string | null | undefined} s */
  const word = (s) => (s ? t(`case-warranty.${s}`) : '—');
  return `${word(d.from?.status)} → ${word(d.to?.status)}`;
}

/**
 * The case detail with the warranty items to choose from (GET /warranty/catalogue, the defaults: the case detail
 * does not carry its estate's id); without them the dialog offers the case's own item only.
 * @param {any} d the case detail answer
 */
export async function withWarrantyCatalogue(d) {
  const items = await api('warranty/catalogue').catch(() => []);
  return { ...d, warrantyCatalogue: Array.isArray(items) ? items : [] };
}

/**
 * The correction dialog's fields besides the reason, set to the case's standing now.
 * @param {any} detail the case detail answer, with `warrantyCatalogue` (withWarrantyCatalogue)
 */
export function warrantyFields(detail) {
  const w = detail.case.warranty ?? { status: 'unknown', itemCode: null, itemName: null, expiresOn: null };
  /** @type {Array<{ code: string, name: string }>} */
  const items = (detail.warrantyCatalogue ?? []).filter((/** @type {any} */ i) => i.active !== false);
  if (w.itemCode && !items.some((i) => i.code === w.itemCode))
    items.unshift({ code: w.itemCode, name: w.itemName ?? w.itemCode });
  return html`<div class="field"><label for="cd-status">${t('case-warranty.field.status')}</label>
      <select id="cd-status" name="status" required>${statuses.map(
        (s) => html`<option value="${s}" ${s === w.status ? html`selected` : ''}>${t(`case-warranty.${s}`)}</option>`,
      )}</select></div>
    <div class="field"><label for="cd-itemCode">${t('case-warranty.field.item')}</label>
      <select id="cd-itemCode" name="itemCode"><option value="" ${w.itemCode ? '' : html`selected`}>${t('case-warranty.noItem')}</option>${items.map(
        (i) => html`<option value="${i.code}" ${i.code === w.itemCode ? html`selected` : ''}>${i.name}</option>`,
      )}</select></div>
    <div class="field"><label for="cd-expiresOn">${t('case-warranty.field.expiresOn')} <span class="opt">${t('case-detail.optional')}</span></label>
      <p class="hint" id="cd-expiresOn-hint">${t('case-warranty.expiresHint')}</p>
      <input id="cd-expiresOn" name="expiresOn" type="date" value="${w.expiresOn ?? ''}" aria-describedby="cd-expiresOn-hint"></div>`;
}

/**
 * PATCH /cases/:id/warranty's body: status and reason; the item and the date only when changed (left out keeps
 * the case's, and a changed item without a date takes its expiry for the unit), emptied = null.
 * @param {HTMLFormElement} form
 */
export function warrantyBody(form) {
  const status = /** @type {HTMLSelectElement} */ (form.elements.namedItem('status'));
  const reason = /** @type {HTMLTextAreaElement} */ (form.elements.namedItem('reason'));
  const item = /** @type {HTMLSelectElement} */ (form.elements.namedItem('itemCode'));
  const expires = /** @type {HTMLInputElement} */ (form.elements.namedItem('expiresOn'));
  /** @type {Record<string, unknown>} */
  const body = { status: status.value, reason: reason.value.trim() };
  if (!item.selectedOptions[0]?.defaultSelected) body.itemCode = item.value || null;
  if (expires.value !== expires.defaultValue) body.expiresOn = expires.value || null;
  return body;
}
