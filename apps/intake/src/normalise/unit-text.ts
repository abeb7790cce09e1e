import { foldText, numberKey } from '@kefu/shared';

export interface UnitRef {
  building: string;
  entrance: string | null;
  room: string;
  text: string;
}

const CN = '[一二三四五六七八九十两]';
// Building number: 1–3 digits, one letter, or a Chinese numeral (三, 十二).
const BUILDING = `(\\d{1,3}|[A-Za-z]|${CN}{1,3})`;
// Nothing number-like right before a building, so '13栋' is never read as '3栋'.
const BEFORE = '(?<![\\dA-Za-z一二三四五六七八九十两#-])';
const ENTRANCE = `(\\d{1,2}|${CN}{1,3})\\s*单元`;
// Rooms are 3–4 digits (floor + door). Not followed by more digits or by what makes the number a
// date, amount, area or time ('2026年', '1502元', '120平米', '15:02', '2026-11-23').
const ROOM = '(\\d{3,4})(?![\\d年月日元块万平米个次天岁点分秒%./:-])';

/**
 * '3栋2单元1502', '3号楼1502室', 'A座1502', '3幢1单元502房', 'B栋二单元801', '3#1502', '3栋2-1502'.
 * '号' alone only counts as a building suffix before an entrance ('3号2单元1502'): '88号' is usually a street number.
 */
const WITH_SUFFIX = new RegExp(
  `${BEFORE}${BUILDING}\\s*(?:号楼|#楼|栋|幢|座|#|号(?=\\s*(?:\\d{1,2}|${CN}{1,3})\\s*单元))\\s*` +
    `(?:${ENTRANCE}|(\\d{1,2})\\s*-(?=\\s*\\d{3}))?[\\s-]*${ROOM}(?:\\s*[室房号])?`,
  'g',
);
// '3-2-1502': three dash-joined parts. Nothing word-like, '-', '.' or '/' may touch either end (nor ':' after),
// which keeps out dates (2026-11-23), phones (0755-8334-5678) and case numbers (COBZS001-2026-00017).
const DASHED = /(?<![\w\-./])(\d{1,3}|[A-Za-z])\s?-\s?(\d{1,2})\s?-\s?(\d{3,4})(?![\w\-./:])/g;
// 'A-1502': a letter building then a room. A bare '3-1502' is too ambiguous to read.
const LETTER_DASHED = /(?<![\w\-./])([A-Za-z])\s?-\s?(\d{3,4})(?![\w\-./:])/g;

interface Found {
  start: number;
  end: number;
  ref: UnitRef;
}

/** Unit references in free text: "3栋2单元1502", "3-2-1502", "3号楼1502室", "A座1502", "3幢1单元502房", "3栋1502", "B栋二单元801" (Chinese numerals for building/entrance: 一二三四五六七八九十), "A-1502". building is the key ('3', 'A'); room digits only ('1502'); entrance digits or null. */
export function findUnitRefs(text: string): UnitRef[] {
  const t = foldText(text);
  const found: Found[] = [];
  const add = (start: number, len: number, building: string, entrance: string | undefined, room: string): void => {
    const ref: UnitRef = {
      building: numberKey(building),
      entrance: entrance === undefined ? null : numberKey(entrance),
      room,
      text: text.slice(start, start + len).trim(),
    };
    found.push({ start, end: start + len, ref });
  };
  for (const m of t.matchAll(WITH_SUFFIX)) add(m.index, m[0].length, m[1]!, m[2] ?? m[3], m[4]!);
  for (const m of t.matchAll(DASHED)) add(m.index, m[0].length, m[1]!, m[2], m[3]!);
  for (const m of t.matchAll(LETTER_DASHED)) add(m.index, m[0].length, m[1]!, undefined, m[2]!);

  // Earliest first; a match overlapping an earlier one is dropped; the same unit twice counts once.
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const refs: UnitRef[] = [];
  const keys = new Set<string>();
  let lastEnd = -1;
  for (const f of found) {
    if (f.start < lastEnd) continue;
    lastEnd = f.end;
    const key = `${f.ref.building}|${f.ref.entrance ?? ''}|${numberKey(f.ref.room)}`;
    if (keys.has(key)) continue;
    keys.add(key);
    refs.push(f.ref);
  }
  return refs;
}

/** '3栋' / '3号楼' / '3幢' / '3座' / '3#' / '三栋' → '3'; 'A座' / 'A栋' → 'A' (upper-cased). */
export function buildingKey(name: string): string {
  const core = foldText(name)
    .trim()
    .replace(/^第/, '')
    .replace(/\s*(?:号楼|#楼|栋楼|栋|幢|座|楼|#|号)$/, '');
  return numberKey(core);
}

function entranceKey(s: string): string {
  return numberKey(foldText(s).trim().replace(/单元$/, ''));
}

function roomKey(s: string): string {
  return numberKey(
    foldText(s)
      .trim()
      .replace(/[室房号]$/, ''),
  );
}

export interface UnitRow {
  id: string;
  buildingName: string;
  entrance: string;
  room: string;
}
export type UnitMatch =
  | { status: 'matched'; unitId: string; ref: UnitRef }
  | { status: 'ambiguous'; candidates: string[]; ref: UnitRef | null }
  | { status: 'unmatched' };

type KeyedUnit = { id: string; entrance: string; entranceKey: string };
/**
 * Units by building and room key, built once per unit list: an estate's list is kept by the unit
 * directory, so thousands of units are folded and keyed once, not for every item that names one.
 */
const indexes = new WeakMap<readonly UnitRow[], Map<string, KeyedUnit[]>>();
function unitIndex(units: readonly UnitRow[]): Map<string, KeyedUnit[]> {
  let index = indexes.get(units);
  if (!index) {
    index = new Map();
    for (const u of units) {
      const key = `${buildingKey(u.buildingName)}|${roomKey(u.room)}`;
      index.set(key, [
        ...(index.get(key) ?? []),
        { id: u.id, entrance: u.entrance, entranceKey: entranceKey(u.entrance) },
      ]);
    }
    indexes.set(units, index);
  }
  return index;
}

/** The units one ref can mean. */
export function unitCandidates(ref: UnitRef, units: readonly UnitRow[]): string[] {
  const same = unitIndex(units).get(`${ref.building}|${roomKey(ref.room)}`) ?? [];
  if (ref.entrance === null) return same.map((u) => u.id);
  const exact = same.filter((u) => u.entranceKey === ref.entrance);
  // A building recorded without entrances ('') has one: '3栋1单元1502' still means its 1502.
  return (exact.length ? exact : same.filter((u) => u.entrance.trim() === '')).map((u) => u.id);
}

/** Match refs against an estate's units. A ref without an entrance that fits several units (same building and room in two entrances) is ambiguous with all candidate ids; two refs pointing to different units are ambiguous; never a silent guess. */
export function matchUnit(refs: UnitRef[], units: UnitRow[]): UnitMatch {
  // Refs that fit no unit (another estate, a typo) are ignored; the rest must agree.
  const hits = refs.map((ref) => ({ ref, ids: unitCandidates(ref, units) })).filter((h) => h.ids.length > 0);
  if (hits.length === 0) return { status: 'unmatched' };
  const all = [...new Set(hits.flatMap((h) => h.ids))];
  // Units every ref allows: '3栋1502' (two entrances) and '3栋2单元1502' together agree on one.
  const agreed = all.filter((id) => hits.every((h) => h.ids.includes(id)));
  const pinned = agreed.length === 1 ? hits.find((h) => h.ids.length === 1 && h.ids[0] === agreed[0]) : undefined;
  if (pinned) return { status: 'matched', unitId: pinned.ids[0]!, ref: pinned.ref };
  return {
    status: 'ambiguous',
    candidates: agreed.length > 1 ? agreed : all,
    ref: hits.length === 1 ? hits[0]!.ref : null,
  };
}
