import type { IdDocumentType } from '@kefu/shared';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** GB 11643 checksum of an 18-character resident ID number. */
export function residentIdValid(id: string): boolean {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  const sum = WEIGHTS.reduce((s, w, i) => s + w * Number(id[i]), 0);
  return CHECK[sum % 11] === id[17];
}

/**
 * What the sign-off record keeps of an ID number: its ends only (4401**********1234 for a resident
 * ID). The full number is checked here and never stored or logged. Returns a reason when it is not valid.
 */
export function maskIdNumber(type: IdDocumentType, raw: string): { masked: string } | { error: string } {
  const id = raw.replace(/[\s-]/g, '').toUpperCase();
  if (type === 'resident_id' && !residentIdValid(id))
    return { error: 'is not a valid 18-character resident ID number' };
  if (!/^[0-9A-Z()]{5,30}$/.test(id)) return { error: 'must be 5 to 30 letters and digits' };
  const keep = id.length >= 12 ? 4 : id.length >= 8 ? 2 : 1;
  return { masked: `${id.slice(0, keep)}${'*'.repeat(id.length - 2 * keep)}${id.slice(-keep)}` };
}
