import type { EntityManager } from 'typeorm';
import { effectiveItemsSql, type WarrantyStatus } from '@kefu/shared';

/**
 * Which catalogue item a repair is about, from words in its description: per item code, in order of
 * precedence (the first item with a word in the text wins), the more specific items first — a leaking
 * water pipe is plumbing (给排水) and a leaking radiator heating, not the room's waterproofing (漏水), and
 * a leaking roof is the roof's.
 * Data, not logic: a word that misleads is taken out here. An item not listed (an estate's own item)
 * is found by the parts of its name (屋面防水, 门窗翘裂、五金件 → 门窗翘裂 / 五金件), after the listed ones.
 */
export const WARRANTY_KEYWORDS: ReadonlyArray<readonly [code: string, words: readonly string[]]> = [
  ['roof_waterproofing', ['屋面', '屋顶', '天台', '顶楼漏']],
  ['external_wall_waterproofing', ['外墙']],
  ['heating', ['供暖', '暖气', '地暖', '采暖']],
  ['cooling', ['供冷', '制冷', '冷气']],
  ['water_supply_drainage', ['给排水', '给水', '排水', '水管', '下水', '管道', '地漏', '堵塞']],
  ['sanitary_ware', ['洁具', '马桶', '坐便', '面盆', '洗手盆', '浴缸', '水龙头', '花洒']],
  ['wet_room_waterproofing', ['防水', '渗漏', '渗水', '漏水', '返潮']],
  ['lamps_switches', ['灯具', '开关', '插座', '灯']],
  ['electrical', ['电气', '线路', '电线', '跳闸', '漏电', '断电']],
  ['doors_windows', ['门窗', '窗', '房门', '入户门', '门锁', '合页', '五金件']],
  ['equipment_installation', ['设备安装', '水泵', '燃气']],
  ['decoration', ['装修', '瓷砖', '地板', '吊顶', '空鼓', '墙皮', '乳胶漆', '涂料']],
];

/** One effective catalogue item of the unit's estate, with its expiry for the unit (null: no such season there). */
export interface UnitWarrantyItem {
  code: string;
  name: string;
  expiresOn: string | null;
}

export interface WarrantyStanding {
  status: WarrantyStatus;
  itemCode: string | null;
  expiresOn: string | null;
  /** Why, for the `created` event: how the item was chosen, or what was missing. */
  basis:
    | { by: 'keyword'; word: string }
    | { by: 'shortest' | 'longest' }
    | { by: 'none'; missing: 'unit' | 'handover_date' | 'item' | 'season' };
}

const nameParts = (name: string) =>
  name
    .split(/[、，,/／\s]+/)
    .map((w) => w.trim())
    .filter((w) => w.length >= 2);

/**
 * The item the description names, and the word that named it; null when none does. A listed item the estate
 * does not have (switched off) is still the one named: the estate gives no warranty on it to judge by.
 */
export function itemOfDescription(
  description: string,
  items: ReadonlyArray<Pick<UnitWarrantyItem, 'code' | 'name'>>,
): { code: string; word: string } | null {
  const listed = new Set(WARRANTY_KEYWORDS.map(([code]) => code));
  const table = [
    ...WARRANTY_KEYWORDS,
    ...items.filter((i) => !listed.has(i.code)).map((i) => [i.code, nameParts(i.name)] as const),
  ];
  for (const [code, words] of table) {
    const word = words.find((w) => description.includes(w));
    if (word) return { code, word };
  }
  return null;
}

/**
 * A repair's warranty standing on the day it was received (`on`, YYYY-MM-DD, business time zone). The
 * last day of an item (`expiresOn`) is still in warranty. When the description names an item, that item
 * decides. When it names none, only a certain answer is given: in warranty when even the shortest item
 * still runs (every item does), out of warranty when even the longest has ended (none does); between the
 * two it depends on what is broken, so unknown until staff say (PATCH /cases/:id/warranty).
 */
export function decideWarranty(description: string, on: string, unit: UnitWarranty | null): WarrantyStanding {
  const none = (missing: 'unit' | 'handover_date' | 'item' | 'season', itemCode: string | null = null) => ({
    status: 'unknown' as const,
    itemCode,
    expiresOn: null,
    basis: { by: 'none' as const, missing },
  });
  if (!unit) return none('unit');
  if (!unit.handoverDate) return none('handover_date');
  const named = itemOfDescription(description, unit.items);
  if (named) {
    const item = unit.items.find((i) => i.code === named.code);
    if (!item) return none('item', named.code); // the estate switched the item off
    if (!item.expiresOn) return none('season', item.code); // e.g. heating in a city without a heating season
    return {
      status: on <= item.expiresOn ? 'in_warranty' : 'out_of_warranty',
      itemCode: item.code,
      expiresOn: item.expiresOn,
      basis: { by: 'keyword', word: named.word },
    };
  }
  const dated = unit.items
    .filter((i): i is UnitWarrantyItem & { expiresOn: string } => i.expiresOn !== null)
    .sort((a, b) => a.expiresOn.localeCompare(b.expiresOn) || a.code.localeCompare(b.code));
  const shortest = dated[0];
  const longest = dated[dated.length - 1];
  if (shortest && on <= shortest.expiresOn)
    return { status: 'in_warranty', itemCode: shortest.code, expiresOn: shortest.expiresOn, basis: { by: 'shortest' } };
  if (longest && on > longest.expiresOn)
    return {
      status: 'out_of_warranty',
      itemCode: longest.code,
      expiresOn: longest.expiresOn,
      basis: { by: 'longest' },
    };
  return none('item');
}

/** A unit's handover date and its estate's effective catalogue with each item's expiry for it. */
export interface UnitWarranty {
  handoverDate: string | null;
  items: UnitWarrantyItem[];
}

/**
 * Unit `u`'s UnitWarranty as one JSON value: the handover date and the estate's effective catalogue, each
 * item's expiry computed by the SQL function the scheduler's notices use (warranty_expiry).
 */
export const unitWarrantySql = (u: string) => `
  json_build_object('handoverDate', to_char(${u}.handover_date, 'YYYY-MM-DD'), 'items', coalesce((
    SELECT json_agg(json_build_object('code', e.code, 'name', e.name,
             'expiresOn', to_char(warranty_expiry(${u}.handover_date, e.basis, e.amount, e."seasonStart", e."seasonEnd"), 'YYYY-MM-DD'))
           ORDER BY e.code)
      FROM (${effectiveItemsSql(`p.id = ${u}.project_id`)}) e), '[]'))`;

/** One unit's UnitWarranty; null when there is no such unit. */
export async function unitWarrantyItems(m: Pick<EntityManager, 'query'>, unitId: string): Promise<UnitWarranty | null> {
  const [row] = await m.query<Array<{ w: UnitWarranty }>>(
    `SELECT ${unitWarrantySql('u')} AS w FROM units u WHERE u.id = $1`,
    [unitId],
  );
  return row?.w ?? null;
}

/** A case's warranty standing in the case detail (caseWarrantySql). */
export interface CaseWarrantyFact {
  status: WarrantyStatus;
  itemCode: string | null;
  /** The item's name in the case's estate, e.g. 卫生间、房间防渗漏. */
  itemName: string | null;
  expiresOn: string | null;
}

/**
 * The case `c`'s warranty standing as one JSON value for the case detail: status, item code, the item's name
 * in the case's estate (its own over the default), expiry; null when none was decided.
 */
export const caseWarrantySql = (c: string) => `
  CASE WHEN ${c}.warranty_status IS NOT NULL THEN json_build_object(
    'status', ${c}.warranty_status, 'itemCode', ${c}.warranty_item_code,
    'itemName', (SELECT wi.name FROM warranty_items wi WHERE wi.code = ${c}.warranty_item_code
                   AND (wi.project_id = ${c}.project_id OR wi.project_id IS NULL) ORDER BY wi.project_id NULLS LAST LIMIT 1),
    'expiresOn', to_char(${c}.warranty_expires_on, 'YYYY-MM-DD')) END`;
