import { renderTemplate, TemplateVariablesError } from './templates';

describe('the case_writeup_shared template (典型案例分享)', () => {
  const variables = {
    title: '卫生间渗水反复维修',
    caseNumber: 'YG-2026-00017',
    departmentName: '工程部',
    sharedBy: '张经理',
    lesson: '维修后必须做闭水试验再交付',
    url: 'https://kefu.example.com/console/#/case-library/1',
  };

  it('names the case, who shared it, the lesson and the link', () => {
    const r = renderTemplate('case_writeup_shared', variables, '王工');
    expect(r.subject).toBe('典型案例分享：卫生间渗水反复维修（YG-2026-00017）');
    expect(r.text).toBe(
      '王工您好：张经理向工程部分享了典型案例「卫生间渗水反复维修」（YG-2026-00017）。经验教训：维修后必须做闭水试验再交付' +
        '\n详情：https://kefu.example.com/console/#/case-library/1',
    );
  });

  it('refuses a write-up without its lesson', () => {
    expect(() => renderTemplate('case_writeup_shared', { ...variables, lesson: '' }, null)).toThrow(
      TemplateVariablesError,
    );
  });
});
