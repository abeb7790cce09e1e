import { batchFieldsSchema, type BatchFields } from './certificate.dto';
import type { CsvProblem, CsvRow } from './certificate-csv';

/** A unit the import named, found by estate code, building, entrance and room. */
export interface ResolvedUnit {
  unitId: string;
  projectId: string;
}

/** The key `resolveUnits` answers by: estate code, building, entrance and room. */
export const rowUnitKey = (v: CsvRow['values']): string => `${v.estate}|${v.building}|${v.entrance}|${v.room}`;

/**
 * The import's rows as batches: rows sharing estate and batch fields form one batch. Every bad row is a problem
 * (a unit named twice, no such unit, a bad field, a deadline before the from date); the caller imports nothing
 * unless there are none.
 */
export function groupBatchRows(
  rows: CsvRow[],
  ids: ReadonlyMap<string, ResolvedUnit>,
): { groups: Array<{ fields: BatchFields; unitIds: string[] }>; problems: CsvProblem[] } {
  const problems: CsvProblem[] = [];
  const groups = new Map<string, { fields: BatchFields; unitIds: string[] }>();
  const seen = new Map<string, number>();
  for (const row of rows) {
    const v = row.values;
    const key = rowUnitKey(v);
    const first = seen.get(key);
    if (first) {
      problems.push({
        line: row.line,
        message: `duplicates line ${first} (${v.building}${v.entrance ? `${v.entrance}单元` : ''}${v.room})`,
      });
      continue;
    }
    seen.set(key, row.line);
    const unit = ids.get(key);
    if (!unit) {
      problems.push({
        line: row.line,
        field: 'room',
        message: `no unit ${v.building}${v.entrance ? ` ${v.entrance}单元` : ''} ${v.room} in estate ${v.estate || '(blank)'}`,
      });
    }
    const parsed = batchFieldsSchema.safeParse({
      projectId: unit?.projectId ?? '00000000-0000-4000-8000-000000000000',
      reference: v.reference || null,
      place: v.place,
      hours: v.hours,
      documents: v.documents
        .split(/[;；、|\n]/)
        .map((d) => d.trim())
        .filter(Boolean),
      fromDate: v.fromDate,
      deadline: v.deadline,
    });
    if (!parsed.success) {
      for (const i of parsed.error.issues)
        problems.push({ line: row.line, field: String(i.path[0] ?? ''), message: i.message });
      continue;
    }
    if (parsed.data.deadline < parsed.data.fromDate) {
      problems.push({ line: row.line, field: 'deadline', message: 'is before the from date' });
      continue;
    }
    if (!unit) continue;
    const f = parsed.data;
    const gk = JSON.stringify([f.projectId, f.reference, f.place, f.hours, f.documents, f.fromDate, f.deadline]);
    const g = groups.get(gk) ?? { fields: f, unitIds: [] };
    g.unitIds.push(unit.unitId);
    groups.set(gk, g);
  }
  return { groups: [...groups.values()], problems };
}
