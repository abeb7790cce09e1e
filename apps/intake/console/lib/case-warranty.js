// @ts-check
// A repair's warranty standing on the case page (case.warranty of GET /cases/:id; decided at intake and
// corrected by staff: apps/intake/src/cases/warranty), as one line of the case facts, both languages.
import { register, t } from './i18n.js';

register({
  zh: {
    'case-detail.fact.warranty': '保修',
    'case-warranty.in_warranty': '在保修期内',
    'case-warranty.out_of_warranty': '已过保修期',
    'case-warranty.unknown': '未知',
    'case-warranty.item': '（{item}，至 {date}）',
    'case-detail.event.warranty_overridden': '修改保修判定',
  },
  en: {
    'case-detail.fact.warranty': 'Warranty',
    'case-warranty.in_warranty': 'In warranty',
    'case-warranty.out_of_warranty': 'Out of warranty',
    'case-warranty.unknown': 'Unknown',
    'case-warranty.item': ' ({item}, until {date})',
    'case-detail.event.warranty_overridden': 'Warranty standing corrected',
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
