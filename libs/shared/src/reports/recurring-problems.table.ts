import type { RecurringKind, RecurringProblemsSection } from './recurring-problems';

/** A report table: Chinese headers and rows of text and numbers, for a workbook sheet or a PDF table. */
export interface ReportTable {
  title: string;
  headers: string[];
  rows: Array<Array<string | number>>;
}

export const recurringKindLabel: Record<RecurringKind, string> = {
  unit: '同一房号',
  building: '同一楼栋',
  category: '同一类别',
  word: '问题词',
};

const statusLabel = { open: '待整改', in_progress: '整改中', done: '已完成', cancelled: '已取消' } as const;

/** The recurring problems of a section as the periodic reports print them (重复/共性问题). */
export function recurringProblemsTable(s: RecurringProblemsSection): ReportTable {
  return {
    title: '重复/共性问题',
    headers: ['类型', '问题', '件数', '本期件数', '涉及月份', '案例', '整改措施', '责任部门', '完成期限', '整改状态'],
    rows: s.problems.map((p) => [
      recurringKindLabel[p.kind],
      p.label,
      p.cases,
      p.inPeriod,
      p.months.join('、'),
      p.examples.map((e) => e.number).join('、'),
      p.action?.action ?? '',
      p.action?.department ?? '',
      p.action?.dueOn ?? '',
      p.action ? `${statusLabel[p.action.status]}${p.action.overdue ? '（逾期）' : ''}` : '未制定',
    ]),
  };
}

/** The follow-up of corrective actions (整改跟进): those in force, and those finished in the period. */
export function correctiveActionsTable(s: RecurringProblemsSection): ReportTable {
  return {
    title: '整改跟进',
    headers: ['问题', '整改措施', '责任部门', '完成期限', '状态', '结果'],
    rows: s.actions.map((a) => [
      a.problemLabel,
      a.action,
      a.department,
      a.dueOn,
      `${statusLabel[a.status]}${a.overdue ? '（逾期）' : ''}`,
      a.result ?? '',
    ]),
  };
}
