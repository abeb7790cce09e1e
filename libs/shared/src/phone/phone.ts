import { foldText } from '../text/text';

export type PhoneKind = 'mobile' | 'landline';
export interface NormalisedPhone {
  kind: PhoneKind;
  /** mobile: 11 digits '13812345678'; landline: area code with its leading 0 then the number, digits only: '075583345678' */
  digits: string;
  /** '138 1234 5678' / '0755-83345678' */
  display: string;
}

const MOBILE = /^1[3-9]\d{9}$/;
// Area codes: 010 and 02x are three digits with the 0, all others (0[3-9]xx) four. Subscriber
// numbers are 7–8 digits and never start with 0 (real ones start 2–8, but '010-12345678' is how
// people write sample and test numbers, so 1 is allowed too).
const LANDLINE = /^(010|02\d|0[3-9]\d\d)([1-9]\d{6,7})$/;
// National service numbers (400/800 + 7 digits) have no area code; kept as 'landline', digits as given.
const SERVICE = /^([48]00)(\d{3})(\d{4})$/;
// Calls from another city's mobile often arrive with the trunk prefix: 0 + 11-digit mobile.
const TRUNK_MOBILE = /^01[3-9]\d{9}$/;

function mobile(d: string): NormalisedPhone {
  return { kind: 'mobile', digits: d, display: `${d.slice(0, 3)} ${d.slice(3, 7)} ${d.slice(7)}` };
}

function landline(d: string): NormalisedPhone | null {
  const m = LANDLINE.exec(d);
  if (!m) return null;
  return { kind: 'landline', digits: d, display: `${m[1]!}-${m[2]!}` };
}

/**
 * Reads a digit string (separators already removed). `plus` says the number was written with '+',
 * i.e. an international prefix follows; only +86 (mainland) is understood.
 */
export function parsePhoneDigits(digits: string, plus = false): NormalisedPhone | null {
  let d = digits;
  let international = false;
  if (d.startsWith('0086')) {
    d = d.slice(4);
    international = true;
  } else if (d.startsWith('86') && (plus || d.length >= 12)) {
    // Without '+', '86' only counts when what follows is long enough to be a national number.
    d = d.slice(2);
    international = true;
  } else if (plus) {
    return null; // another country: not ours to guess
  }
  if (MOBILE.test(d)) return mobile(d);
  if (international) {
    // +86 drops the area code's 0; people often write it anyway ('+86 (0)755 …').
    return landline(d.startsWith('0') ? d : `0${d}`);
  }
  if (TRUNK_MOBILE.test(d)) return mobile(d.slice(1));
  const s = SERVICE.exec(d);
  if (s) return { kind: 'landline', digits: d, display: `${s[1]!}-${s[2]!}-${s[3]!}` };
  return landline(d);
}

/** A mainland mobile as stored (11 digits, 13x–19x): what normalisePhone gives for kind 'mobile'. */
export function isMainlandMobile(digits: string): boolean {
  return MOBILE.test(digits);
}

// An international number as Twilio takes it: '+', country code, the rest; 8–15 digits in all.
const E164 = /^\+\d{8,15}$/;

/**
 * A number SMS can go to, as stored on an owner, a staff member or a case: a mainland mobile
 * ('13812345678') or an E.164 number from abroad ('+85291234567'). Landlines, 400 numbers and
 * 11-digit strings that are no mobile (11x, 12x) are not.
 */
export function isSmsNumber(p: string | null | undefined): p is string {
  return !!p && (MOBILE.test(p) || E164.test(p));
}

/** The E.164 form an SMS provider wants: a mainland mobile gets +86; anything else is returned as it is. */
export function smsE164(p: string): string {
  return MOBILE.test(p) ? `+86${p}` : p;
}

// An extension at the end of a raw number: '转123', 'ext. 123', 'x123', '分机 123'.
const EXTENSION_SUFFIX = /\s*(?:转|分机|ext\.?|x)\s*\d{1,6}\s*$/i;

/**
 * One phone number from a field that should hold one (caller id, a form's phone box). Text around
 * a single number is tolerated ('手机：138…'); a field holding two different numbers gives null
 * rather than a guess.
 */
export function normalisePhone(raw: string): NormalisedPhone | null {
  const t = foldText(raw).trim().replace(EXTENSION_SUFFIX, '');
  if (/^[\s(]*\+?[\d\s\-.()]+$/.test(t) && !/\d.*\+/.test(t)) {
    const whole = parsePhoneDigits(t.replace(/\D/g, ''), /^[\s(]*\+/.test(t));
    if (whole) return whole;
  }
  const found = findPhones(raw);
  return found.length === 1 ? found[0]! : null;
}

// A run of digit groups joined by short separators: '+86 (138) 1234-5678', '0755 8334 5678'.
// Newlines and other punctuation end a run, so '138…/139…' or '138…，139…' are separate runs.
const CLUSTER = /\+?\d+(?:[ \-.()]{1,3}\+?\d+)*/g;
const GROUP = /\+?\d+/g;
const LETTER = /[A-Za-z]/;
// Letters allowed straight after a number: an extension marker.
const EXTENSION_AFTER = /^(?:ext|x)/i;

interface Group {
  digits: string;
  plus: boolean;
  /** A number may begin here: start of the run, or after a space/bracket (not a '-' or '.', which bind dates and case numbers). */
  canStart: boolean;
}

function splitGroups(cluster: string, leftLetter: boolean): Group[] {
  const groups: Group[] = [];
  let prevEnd = 0;
  for (const m of cluster.matchAll(GROUP)) {
    const sep = cluster.slice(prevEnd, m.index);
    const canStart = groups.length === 0 ? !leftLetter : /[ ()]/.test(sep);
    groups.push({ digits: m[0].replace('+', ''), plus: m[0].startsWith('+'), canStart });
    prevEnd = m.index + m[0].length;
  }
  return groups;
}

/** Every phone number in free text (Chinese or not), de-duplicated by digits, in order of appearance. */
export function findPhones(text: string): NormalisedPhone[] {
  const t = foldText(text);
  const out: NormalisedPhone[] = [];
  const seen = new Set<string>();
  for (const m of t.matchAll(CLUSTER)) {
    const before = t[m.index - 1] ?? '';
    const after = t.slice(m.index + m[0].length);
    // Digits glued to letters are codes (COBZS001, WXWT001), not phone numbers.
    const groups = splitGroups(m[0], LETTER.test(before));
    if (LETTER.test(after[0] ?? '') && !EXTENSION_AFTER.test(after)) groups.pop();
    let i = 0;
    let afterNumber = false;
    while (i < groups.length) {
      const found = groups[i]!.canStart || afterNumber ? longestFrom(groups, i) : null;
      if (found) {
        if (!seen.has(found.phone.digits)) {
          seen.add(found.phone.digits);
          out.push(found.phone);
        }
        i = found.next;
        afterNumber = true;
      } else {
        i += 1;
        afterNumber = false;
      }
    }
  }
  return out;
}

// At most this many groups make one number ('+86 (0) 755 8334 5678' is five).
const MAX_GROUPS = 6;

/** The longest run of groups from i that reads as one phone number: a whole group is never split. */
function longestFrom(groups: Group[], i: number): { phone: NormalisedPhone; next: number } | null {
  let best: { phone: NormalisedPhone; next: number } | null = null;
  let digits = '';
  for (let j = i; j < groups.length && j < i + MAX_GROUPS; j += 1) {
    const g = groups[j]!;
    if (j > i && g.plus) break; // a '+' starts another number
    digits += g.digits;
    if (digits.length > 16) break;
    const phone = parsePhoneDigits(digits, groups[i]!.plus);
    if (phone) best = { phone, next: j + 1 };
  }
  return best;
}
