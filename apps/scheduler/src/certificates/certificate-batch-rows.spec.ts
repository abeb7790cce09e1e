import type { CsvRow } from './certificate-csv';
import { groupBatchRows, rowUnitKey, type ResolvedUnit } from './certificate-batch-rows';

const projectId = '6f0d2c1e-6b1a-4c3e-9a55-0d7f7a1b2c3d';
const row = (line: number, values: Partial<CsvRow['values']> = {}): CsvRow => ({
  line,
  values: {
    estate: 'BHYT01',
    building: '3栋',
    entrance: '2',
    room: '1501',
    place: '售楼处二楼财务室',
    hours: '工作日 9:00-17:00',
    documents: '身份证;购房合同',
    fromDate: '2026-10-12',
    deadline: '2026-12-31',
    reference: '',
    ...values,
  },
});
const units = (...rows: CsvRow[]) =>
  new Map<string, ResolvedUnit>(rows.map((r, i) => [rowUnitKey(r.values), { unitId: `unit-${i}`, projectId }]));

describe('groupBatchRows', () => {
  it('puts rows with the same estate and batch fields into one batch, and splits the documents', () => {
    const a = row(2);
    const b = row(3, { room: '1502' });
    const c = row(4, { room: '1601', deadline: '2027-01-31' });
    const { groups, problems } = groupBatchRows([a, b, c], units(a, b, c));
    expect(problems).toEqual([]);
    expect(groups.map((g) => g.unitIds)).toEqual([['unit-0', 'unit-1'], ['unit-2']]);
    expect(groups[0]!.fields).toMatchObject({ projectId, reference: null, documents: ['身份证', '购房合同'] });
  });

  it('reports every bad row: a unit named twice, no such unit, a bad field, a deadline before the from date', () => {
    const good = row(2);
    const { groups, problems } = groupBatchRows(
      [
        good,
        row(3),
        row(4, { room: '9999' }),
        row(5, { room: '1502', place: '' }),
        row(6, { room: '1503', deadline: '2026-01-01' }),
      ],
      new Map([
        ...units(good),
        [rowUnitKey(row(5, { room: '1502' }).values), { unitId: 'unit-5', projectId }],
        [rowUnitKey(row(6, { room: '1503' }).values), { unitId: 'unit-6', projectId }],
      ]),
    );
    expect(problems.map((p) => [p.line, p.field])).toEqual([
      [3, undefined],
      [4, 'room'],
      [5, 'place'],
      [6, 'deadline'],
    ]);
    expect(problems[0]!.message).toBe('duplicates line 2 (3栋2单元1501)');
    expect(groups.map((g) => g.unitIds)).toEqual([['unit-0']]);
  });
});
