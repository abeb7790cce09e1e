import { parse } from 'csv-parse/sync';
import type { EntityManager } from 'typeorm';
import { decodeCsv } from '@kefu/shared';

/** Columns of an audience list, with the headers staff's spreadsheets use. */
const columns = {
  building: ['building', '楼栋', '栋'],
  entrance: ['entrance', '单元'],
  room: ['room', '房号', '房间'],
} as const;

export interface AudienceCsvProblem {
  line: number;
  field?: string;
  message: string;
}

/**
 * An audience list as a spreadsheet (UTF-8, or GBK as Excel saves it): one unit per line, by building (3栋 or 3),
 * entrance (optional) and room. Every line must name a unit of the estate; each bad line is named.
 */
export async function parseAudienceCsv(
  m: Pick<EntityManager, 'query'>,
  projectId: string,
  bytes: Buffer,
): Promise<{ encoding: string; rows: number; unitIds: string[]; problems: AudienceCsvProblem[] }> {
  const { text, encoding } = decodeCsv(bytes);
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true });
  } catch (err) {
    return {
      encoding,
      rows: 0,
      unitIds: [],
      problems: [{ line: 1, message: `not readable as CSV: ${err instanceof Error ? err.message : String(err)}` }],
    };
  }
  const [header, ...body] = records;
  if (!header || !body.length)
    return { encoding, rows: 0, unitIds: [], problems: [{ line: 1, message: 'the file lists no units' }] };
  const norm = (h: string) => h.trim().toLowerCase();
  const at = (names: readonly string[]) => header.findIndex((h) => names.includes(norm(h)));
  const idx = { building: at(columns.building), entrance: at(columns.entrance), room: at(columns.room) };
  const missing = (['building', 'room'] as const).filter((c) => idx[c] < 0);
  if (missing.length)
    return {
      encoding,
      rows: 0,
      unitIds: [],
      problems: missing.map((c) => ({ line: 1, field: c, message: `missing column ${c} (${columns[c][1]})` })),
    };
  const lines = body.map((cells, i) => ({
    line: i + 2,
    building: cells[idx.building] ?? '',
    entrance: idx.entrance >= 0 ? (cells[idx.entrance] ?? '').replace(/单元$/, '') : '',
    room: cells[idx.room] ?? '',
  }));
  const found = await m.query<Array<{ line: number; unit_id: string | null }>>(
    `SELECT l.line, (SELECT u.id FROM units u JOIN buildings b ON b.id = u.building_id
                      WHERE u.project_id = $1 AND b.name IN (l.building, l.building || '栋') AND u.entrance = l.entrance
                        AND u.room = l.room LIMIT 1) AS unit_id
       FROM unnest($2::int[], $3::text[], $4::text[], $5::text[]) AS l(line, building, entrance, room)`,
    [
      projectId,
      lines.map((l) => l.line),
      lines.map((l) => l.building),
      lines.map((l) => l.entrance),
      lines.map((l) => l.room),
    ],
  );
  const problems: AudienceCsvProblem[] = found
    .filter((f) => !f.unit_id)
    .map((f) => {
      const l = lines.find((x) => x.line === f.line)!;
      return {
        line: f.line,
        message: `no unit ${l.building}${l.entrance ? `${l.entrance}单元` : ''}${l.room} in this estate`,
      };
    });
  return {
    encoding,
    rows: lines.length,
    unitIds: [...new Set(found.flatMap((f) => (f.unit_id ? [f.unit_id] : [])))],
    problems,
  };
}
