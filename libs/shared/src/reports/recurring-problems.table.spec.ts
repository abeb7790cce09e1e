import type { RecurringProblemsSection } from './recurring-problems';
import { correctiveActionsTable, recurringProblemsTable } from './recurring-problems.table';

describe('recurring problems as report tables', () => {
  const action = {
    id: 'a1',
    problemKey: 'unit:u1',
    problemLabel: '阳光花园3栋2单元1201',
    action: '重做防水层',
    departmentId: 'd1',
    department: '工程部',
    dueOn: '2026-11-15',
    status: 'open' as const,
    result: null,
    overdue: true,
    finishedAt: null,
    createdAt: new Date('2026-10-20T02:00:00Z'),
  };
  const section = {
    problems: [
      {
        key: 'unit:u1',
        kind: 'unit',
        label: '阳光花园3栋2单元1201',
        estate: '阳光花园',
        cases: 3,
        inPeriod: 1,
        months: ['2026-08', '2026-09', '2026-10'],
        examples: [
          { caseId: 'c3', number: 'YG-2026-00003', receivedAt: new Date(), excerpt: '' },
          { caseId: 'c2', number: 'YG-2026-00002', receivedAt: new Date(), excerpt: '' },
        ],
        action,
      },
      {
        key: 'word:渗水',
        kind: 'word',
        label: '渗水',
        estate: null,
        cases: 5,
        inPeriod: 2,
        months: ['2026-09', '2026-10'],
        examples: [],
        action: null,
      },
    ],
    actions: [action],
  } as unknown as RecurringProblemsSection;

  it('prints each problem with its counts, months, example cases and the action on it', () => {
    const t = recurringProblemsTable(section);
    expect(t.headers).toHaveLength(t.rows[0]!.length);
    expect(t.rows).toEqual([
      [
        '同一房号',
        '阳光花园3栋2单元1201',
        3,
        1,
        '2026-08、2026-09、2026-10',
        'YG-2026-00003、YG-2026-00002',
        '重做防水层',
        '工程部',
        '2026-11-15',
        '待整改（逾期）',
      ],
      ['问题词', '渗水', 5, 2, '2026-09、2026-10', '', '', '', '', '未制定'],
    ]);
  });

  it('prints the follow-up of the actions', () => {
    expect(correctiveActionsTable(section).rows).toEqual([
      ['阳光花园3栋2单元1201', '重做防水层', '工程部', '2026-11-15', '待整改（逾期）', ''],
    ]);
  });
});
