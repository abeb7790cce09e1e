import { parse } from 'csv-parse/sync';
import type { LetterStatus, NotificationStatus } from '@kefu/shared';

/** What one line of the carrier's tracking export says happened. */
export type TrackingEvent = 'accepted' | 'in_transit' | 'out_for_delivery' | 'signed_for' | 'undelivered' | 'returned';

/** China Post / EMS wording → event. Order matters: 未妥投 before 妥投, 退回 before anything. */
const ACTIONS: Array<[RegExp, TrackingEvent]> = [
  [/退回|退件|退还|返回寄件人/, 'returned'],
  [/未妥投|投递失败|未投递|无人签收|拒收/, 'undelivered'],
  [/妥投|已签收|签收/, 'signed_for'],
  [/派送中|派送|投递中|开始投递|安排投递/, 'out_for_delivery'],
  [/收寄|揽收|揽投|已收件/, 'accepted'],
  [/运输|到达|离开|发往|经转|封发|转运|中转|处理中心|出口|进口/, 'in_transit'],
];

export function trackingEvent(action: string): TrackingEvent | null {
  for (const [re, event] of ACTIONS) if (re.test(action)) return event;
  return null;
}

/** The letter's status after an event (moves forward only, see letterRank). */
export const letterStatusOf: Record<TrackingEvent, LetterStatus> = {
  accepted: 'accepted',
  in_transit: 'in_transit',
  out_for_delivery: 'out_for_delivery',
  undelivered: 'undelivered',
  signed_for: 'signed_for',
  returned: 'returned',
};

/**
 * The notification status an event settles: only the outcomes. A failed delivery attempt (未妥投) is
 * a receipt, not a status: the post office tries again or returns the letter, and either settles it.
 */
export const notificationStatusOf: Partial<Record<TrackingEvent, NotificationStatus>> = {
  signed_for: 'signed_for',
  returned: 'returned',
};

const letterRank: Record<LetterStatus, number> = {
  generated: 0,
  manifested: 1,
  posted: 2,
  accepted: 3,
  in_transit: 4,
  out_for_delivery: 5,
  undelivered: 6,
  signed_for: 7,
  returned: 7,
};
/** Statuses a letter may move to `to` from (an undelivered letter can go out for delivery again). */
export function letterStatusesBefore(to: LetterStatus): LetterStatus[] {
  return (Object.keys(letterRank) as LetterStatus[]).filter(
    (s) => letterRank[s] < letterRank[to] || (s === 'undelivered' && to === 'out_for_delivery'),
  );
}

export interface TrackingRow {
  /** Line in the file (header = 1). */
  row: number;
  waybill: string;
  occurredAt: Date;
  action: string;
  event: TrackingEvent;
  place: string | null;
  signer: string | null;
  raw: Record<string, string>;
}

export interface RowProblem {
  row: number;
  waybill?: string;
  message: string;
}

const COLUMNS = {
  waybill: ['邮件号', '邮件号码', '运单号', '快递单号', 'waybill', 'mail no'],
  time: ['时间', '处理时间', '操作时间', '作业时间', 'time'],
  action: ['处理动作', '状态', '处理结果', '动作', '邮件状态', '内容', 'action', 'status'],
  place: ['地点', '处理地点', '所在地', '处理机构', 'place'],
  signer: ['签收人', '签收人姓名', 'signer'],
} as const;

/** The index of a column named by one of its known headers, or -1. */
export function findColumn(header: string[], names: readonly string[]): number {
  const norm = header.map((h) => h.trim().toLowerCase());
  for (const n of names) {
    const i = norm.indexOf(n.toLowerCase());
    if (i >= 0) return i;
  }
  return -1;
}

/** "2026-10-02 09:15:00", "2026/10/2 9:15" — business time (China has one zone, no DST: +08:00). */
export function parseChinaTime(s: string): Date | null {
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(s.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', se = '0'] = m;
  const t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h) - 8, Number(mi), Number(se));
  const check = new Date(t + 8 * 3600_000);
  if (
    check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCDate() !== Number(d) ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(se) > 59
  )
    return null;
  return new Date(t);
}

export function parseCsvRows(text: string): string[][] {
  const rows: string[][] = parse(text.replace(/^\uFEFF/, ''), {
    relax_column_count: true,
    skip_empty_lines: true,
    trim: true,
    bom: true,
  });
  return rows;
}

/** Reads the carrier's tracking export: good lines, and a problem for each line that cannot be used. */
export function parseTrackingCsv(text: string): { lines: number; rows: TrackingRow[]; problems: RowProblem[] } {
  let lines: string[][];
  try {
    lines = parseCsvRows(text);
  } catch (err) {
    return {
      lines: 0,
      rows: [],
      problems: [{ row: 0, message: `not a CSV file: ${err instanceof Error ? err.message : String(err)}` }],
    };
  }
  const header = lines[0] ?? [];
  const col = {
    waybill: findColumn(header, COLUMNS.waybill),
    time: findColumn(header, COLUMNS.time),
    action: findColumn(header, COLUMNS.action),
    place: findColumn(header, COLUMNS.place),
    signer: findColumn(header, COLUMNS.signer),
  };
  const missing = (['waybill', 'time', 'action'] as const).filter((k) => col[k] < 0);
  if (missing.length) {
    return {
      lines: Math.max(0, lines.length - 1),
      rows: [],
      problems: [
        { row: 1, message: `header lacks ${missing.map((k) => `${k} (${COLUMNS[k].join(' / ')})`).join(', ')}` },
      ],
    };
  }
  const rows: TrackingRow[] = [];
  const problems: RowProblem[] = [];
  for (const [i, cells] of lines.slice(1).entries()) {
    const row = i + 2;
    const get = (c: number) => (c >= 0 ? (cells[c] ?? '').trim() : '');
    const waybill = get(col.waybill).replace(/\s+/g, '').toUpperCase();
    const raw = Object.fromEntries(header.map((h, j) => [h, cells[j] ?? '']));
    const occurredAt = parseChinaTime(get(col.time));
    const action = get(col.action);
    const event = trackingEvent(action);
    if (!waybill) problems.push({ row, message: 'no waybill number' });
    else if (!occurredAt)
      problems.push({
        row,
        waybill,
        message: `time "${get(col.time)}" is not a date and time like 2026-10-02 09:15:00`,
      });
    else if (!event) problems.push({ row, waybill, message: `unknown action "${action}"` });
    else
      rows.push({
        row,
        waybill,
        occurredAt,
        action,
        event,
        place: get(col.place) || null,
        signer: get(col.signer) || null,
        raw,
      });
  }
  return { lines: lines.length - 1, rows, problems };
}
