import { parse } from 'csv-parse/sync';

/** Columns of the 办证通知 import, with the headers finance's spreadsheets use. */
export const csvColumns = {
  estate: ['estate', '楼盘', '楼盘编码', '项目编码'],
  building: ['building', '楼栋', '栋'],
  entrance: ['entrance', '单元'],
  room: ['room', '房号', '房间'],
  place: ['place', '领取地点', '办证地点'],
  hours: ['hours', '办理时间', '领取时间'],
  documents: ['documents', '所需资料', '携带资料'],
  fromDate: ['from_date', 'fromdate', '开始日期', '起始日期'],
  deadline: ['deadline', '截止日期'],
  reference: ['reference', '批次', '批次号'],
} as const;
export type CsvColumn = keyof typeof csvColumns;
const optional: CsvColumn[] = ['entrance', 'reference'];

export interface CsvRow {
  /** 1-based line number in the file (the header is line 1). */
  line: number;
  values: Record<CsvColumn, string>;
}
export interface CsvProblem {
  line: number;
  field?: string;
  message: string;
}

/** Parses the file into rows by column; a missing required column is a problem of line 1. */
export function parseBatchCsv(text: string): { rows: CsvRow[]; problems: CsvProblem[] } {
  let records: string[][];
  try {
    const parsed: string[][] = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true });
    records = parsed;
  } catch (err) {
    const line = typeof err === 'object' && err && 'lines' in err ? Number((err as { lines: number }).lines) : 1;
    return {
      rows: [],
      problems: [{ line, message: `not readable as CSV: ${err instanceof Error ? err.message : String(err)}` }],
    };
  }
  const [header, ...body] = records;
  if (!header) return { rows: [], problems: [{ line: 1, message: 'the file is empty' }] };
  const norm = (h: string) => h.trim().toLowerCase().replace(/\s+/g, '_');
  const index = {} as Record<CsvColumn, number>;
  const problems: CsvProblem[] = [];
  for (const [col, names] of Object.entries(csvColumns) as Array<[CsvColumn, readonly string[]]>) {
    index[col] = header.findIndex((h) => names.includes(norm(h)));
    if (index[col] < 0 && !optional.includes(col))
      problems.push({
        line: 1,
        field: col,
        message: `missing column ${col} (${names.filter((n) => /[^\x20-\x7e]/.test(n)).join(' / ')})`,
      });
  }
  if (problems.length) return { rows: [], problems };
  const rows = body.map((cells, i) => ({
    line: i + 2,
    values: Object.fromEntries(
      (Object.keys(csvColumns) as CsvColumn[]).map((c) => [c, index[c] >= 0 ? (cells[index[c]] ?? '').trim() : '']),
    ) as Record<CsvColumn, string>,
  }));
  if (!rows.length) problems.push({ line: 2, message: 'no units listed' });
  return { rows, problems };
}
