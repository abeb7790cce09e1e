/**
 * EMS waybill numbers (邮件号). International and most EMS items carry a UPU S10 identifier:
 * 2 letters (service), 8 digits (serial), 1 check digit, 2 letters (ISO country), e.g. EA123456785CN.
 * Domestic EMS also issues 13-digit numeric numbers (e.g. 1xxxxxxxxxxxx) that carry no S10 check
 * digit: those are accepted on format alone (13 digits), since there is no published check to apply.
 */
export type WaybillCheck = { ok: true; waybill: string; kind: 's10' | 'domestic' } | { ok: false; reason: string };

const S10 = /^([A-Z]{2})(\d{8})(\d)([A-Z]{2})$/;
const DOMESTIC = /^\d{13}$/;
const WEIGHTS = [8, 6, 4, 2, 3, 5, 9, 7];

/** The S10 check digit of an 8-digit serial: 11 - (weighted sum mod 11); 10 → 0, 11 → 5. */
export function s10CheckDigit(serial: string): number {
  const sum = [...serial].reduce((acc, d, i) => acc + Number(d) * WEIGHTS[i]!, 0);
  const c = 11 - (sum % 11);
  return c === 10 ? 0 : c === 11 ? 5 : c;
}

/** Normalises (trim, upper case, inner spaces removed) and validates a waybill number. */
export function checkWaybill(input: string): WaybillCheck {
  const waybill = input.replace(/\s+/g, '').toUpperCase();
  if (waybill.length !== 13)
    return { ok: false, reason: `"${waybill}" has ${waybill.length} characters; an EMS number has 13` };
  if (DOMESTIC.test(waybill)) return { ok: true, waybill, kind: 'domestic' };
  const m = S10.exec(waybill);
  if (!m)
    return {
      ok: false,
      reason: `"${waybill}" is neither a UPU S10 number (2 letters, 9 digits, 2 letters, e.g. EA123456785CN) nor 13 digits`,
    };
  const expected = s10CheckDigit(m[2]!);
  if (Number(m[3]) !== expected)
    return { ok: false, reason: `"${waybill}" has check digit ${m[3]}, expected ${expected}` };
  return { ok: true, waybill, kind: 's10' };
}
