import { forChannel, renderTemplate, TemplateVariablesError } from './templates';

describe('the visit_due template (拜访提醒)', () => {
  const variables = {
    date: '2026-05-12',
    overdue: 1,
    dueToday: 1,
    upcoming: 0,
    items: [
      {
        estateName: '碧海云天',
        unitLabel: '1栋1单元101',
        kindLabel: '例行拜访',
        dueOn: '2026-05-01',
        state: 'overdue',
      },
      {
        estateName: '碧海云天',
        unitLabel: '1栋1单元103',
        kindLabel: '交房回访',
        dueOn: '2026-05-12',
        state: 'due_today',
      },
    ],
  };

  it("lists the staff member's due visits, one line each", () => {
    const r = renderTemplate('visit_due', variables, '客服甲');
    expect(r.subject).toBe('拜访提醒 2026年5月12日：逾期1，今日1，近期0');
    expect(r.text.split('\n')).toEqual([
      '客服甲您好：2026年5月12日您的业主拜访：逾期1户，今日到期1户，近期到期0户。',
      '碧海云天1栋1单元101 例行拜访 2026年5月1日 逾期',
      '碧海云天1栋1单元103 交房回访 2026年5月12日 今日',
    ]);
    expect(forChannel('sms', r, '【客服】').body).not.toContain('\n');
  });

  it('refuses variables that break the contract, naming them', () => {
    expect(() => renderTemplate('visit_due', { ...variables, items: [{ state: 'soon' }] }, null)).toThrow(
      TemplateVariablesError,
    );
  });
});
