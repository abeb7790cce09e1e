import { addDays, addMonths } from '@kefu/shared';
import type { WarrantyBasis } from '@kefu/shared';

/** One estate's effective catalogue item, with its city's season dates when it is counted in seasons. */
export interface EffectiveItem {
  projectId: string;
  code: string;
  name: string;
  basis: WarrantyBasis;
  amount: number;
  monthsAhead: number;
  seasonStart: string | null;
  seasonEnd: string | null;
}

/** An item and the handover dates whose notice may fall due in a window: what the index on units(project, handover) answers. */
export interface HandoverRange extends EffectiveItem {
  handoverFrom: string;
  handoverTo: string;
}

const MARGIN_DAYS = 4; // month-end clamping moves a date by at most 3 days; SQL then filters exactly.

/**
 * The expiry rule, mirrored from the SQL function `warranty_expiry` (migration
 * WarrantyAndCertificateNotices): handover + N months, or the last day of the Nth full season — the
 * first full season is the first one that starts on or after the handover date.
 */
export function warrantyExpiry(
  handover: string,
  item: Pick<EffectiveItem, 'basis' | 'amount' | 'seasonStart' | 'seasonEnd'>,
): string | null {
  if (item.basis === 'months') return addMonths(handover, item.amount);
  if (!item.seasonStart || !item.seasonEnd) return null;
  const y = Number(handover.slice(0, 4));
  const firstStartYear = `${y}-${item.seasonStart}` < handover ? y + 1 : y;
  const endYear = firstStartYear + item.amount - 1 + (item.seasonEnd < item.seasonStart ? 1 : 0);
  return `${endYear}-${item.seasonEnd}`;
}

/**
 * The handover dates whose notice for `item` is due in (fromExclusive, toInclusive]: for a month-based
 * item one band of dates (a day's scan reads about one day of handovers); for a season-based item the
 * band of handovers sharing a season end whose notice day lies in the window (none on most days).
 */
export function handoverRanges(item: EffectiveItem, fromExclusive: string, toInclusive: string): HandoverRange[] {
  if (item.basis === 'months') {
    const shift = item.monthsAhead - item.amount;
    return [
      {
        ...item,
        handoverFrom: addDays(addMonths(addDays(fromExclusive, 1), shift), -MARGIN_DAYS),
        handoverTo: addDays(addMonths(toInclusive, shift), MARGIN_DAYS),
      },
    ];
  }
  if (!item.seasonStart || !item.seasonEnd) return [];
  const out: HandoverRange[] = [];
  const wraps = item.seasonEnd < item.seasonStart;
  const firstYear = Number(fromExclusive.slice(0, 4));
  const lastYear = Number(addMonths(toInclusive, item.monthsAhead).slice(0, 4));
  for (let y = firstYear; y <= lastYear; y++) {
    const expires = `${y}-${item.seasonEnd}`;
    const due = addMonths(expires, -item.monthsAhead);
    if (due <= fromExclusive || due > toInclusive) continue;
    // The Nth season ends on `expires`; the first full season started amount-1 years before it.
    const firstStart = `${y - (wraps ? 1 : 0) - (item.amount - 1)}-${item.seasonStart}`;
    // Handovers after the previous season's start and up to this one's start count this one first.
    out.push({
      ...item,
      handoverFrom: addDays(`${Number(firstStart.slice(0, 4)) - 1}-${item.seasonStart}`, 1),
      handoverTo: firstStart,
    });
  }
  return out;
}
