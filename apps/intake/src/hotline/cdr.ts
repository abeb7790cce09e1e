import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { zonedToUtc } from '@kefu/shared';

/**
 * Asterisk cdr_csv (Master.csv) in its standard column order (cdr_csv.c build_csv_record): 16 fixed
 * columns, then uniqueid (loguniqueid=yes), userfield (loguserfield=yes) and, with newcdrcolumns=yes,
 * peeraccount, linkedid, sequence. Dates are the PBX's local time, 'YYYY-MM-DD HH:MM:SS'.
 */
const columns = [
  'accountcode',
  'src',
  'dst',
  'dcontext',
  'clid',
  'channel',
  'dstchannel',
  'lastapp',
  'lastdata',
  'start',
  'answer',
  'end',
  'duration',
  'billsec',
  'disposition',
  'amaflags',
] as const;

export interface CdrRow {
  line: number;
  src: string;
  dst: string;
  clid: string;
  channel: string;
  lastapp: string;
  start: Date;
  duration: number;
  billsec: number;
  disposition: string;
  uniqueid: string | null;
  /** uniqueid when the PBX logs it, else a hash of the fields that identify a call. */
  key: string;
  /** missed: nobody answered; voicemail: the voicemail application took it; answered: an operator did (logged by hand). */
  kind: 'missed' | 'voicemail' | 'answered';
}

export interface CdrProblem {
  line: number;
  message: string;
}

const dateRe = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

function localTime(s: string, timeZone: string): Date | null {
  const m = dateRe.exec(s.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, se] = m as unknown as [string, string, string, string, string, string, string];
  if (Number(mo) > 12 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(se) > 59) return null;
  return zonedToUtc(`${y}-${mo}-${d}`, ((Number(h) * 60 + Number(mi)) * 60 + Number(se)) * 1000, timeZone);
}

export function parseCdrCsv(text: string, timeZone: string): { rows: CdrRow[]; problems: CdrProblem[] } {
  let records: string[][];
  try {
    const parsed: string[][] = parse(text.replace(/^\uFEFF/, ''), { relax_column_count: true, skip_empty_lines: true });
    records = parsed;
  } catch (err) {
    return {
      rows: [],
      problems: [{ line: 0, message: `not a CSV file: ${err instanceof Error ? err.message : String(err)}` }],
    };
  }
  const rows: CdrRow[] = [];
  const problems: CdrProblem[] = [];
  records.forEach((rec, i) => {
    const line = i + 1;
    if (rec.length < columns.length) {
      problems.push({ line, message: `has ${rec.length} columns; a cdr_csv line has at least ${columns.length}` });
      return;
    }
    const f = Object.fromEntries(columns.map((c, j) => [c, (rec[j] ?? '').trim()])) as Record<
      (typeof columns)[number],
      string
    >;
    const start = localTime(f.start, timeZone);
    const duration = Number(f.duration);
    const billsec = Number(f.billsec);
    if (!start) return problems.push({ line, message: `start "${f.start}" is not a time like 2026-11-23 21:14:03` });
    if (!Number.isInteger(duration) || !Number.isInteger(billsec))
      return problems.push({ line, message: 'duration and billsec must be whole seconds' });
    const uniqueid = rec[16]?.trim() || null;
    const key =
      uniqueid ?? createHash('sha256').update([f.start, f.src, f.dst, f.channel].join('|')).digest('hex').slice(0, 32);
    const disposition = f.disposition.toUpperCase();
    const kind = /^voicemail/i.test(f.lastapp) ? 'voicemail' : disposition === 'ANSWERED' ? 'answered' : 'missed';
    rows.push({
      line,
      src: f.src,
      dst: f.dst,
      clid: f.clid,
      channel: f.channel,
      lastapp: f.lastapp,
      start,
      duration,
      billsec,
      disposition,
      uniqueid,
      key,
      kind,
    });
  });
  return { rows, problems };
}
