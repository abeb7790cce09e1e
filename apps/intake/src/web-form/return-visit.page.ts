import { html, page } from './html';

export const VISIT_PATH = '/visit';

export interface VisitForm {
  token: string;
  caseNumber: string;
  /** What the owner chose before a validation error, and the errors by field. */
  values?: { rating?: string; satisfied?: string; comments?: string };
  errors?: Partial<Record<'rating' | 'satisfied' | 'comments', string>>;
}

const ratings: Array<[string, string]> = [
  ['5', '5 非常满意'],
  ['4', '4 满意'],
  ['3', '3 一般'],
  ['2', '2 不满意'],
  ['1', '1 非常不满意'],
];

/** 回访: the owner's satisfaction page — server-rendered, works without JavaScript, one question per fieldset. */
export function renderVisitForm(f: VisitForm): string {
  const v = f.values ?? {};
  const e = f.errors ?? {};
  const errorList = Object.entries(e);
  return page(
    '回访：您对处理结果满意吗？',
    html`<h1>回访：您对处理结果满意吗？</h1>
<p>您反映的问题（编号 <strong>${f.caseNumber}</strong>）已处理完毕。请花一分钟告诉我们您的评价，每个链接只能提交一次。</p>
${
  errorList.length
    ? html`<div class="summary" role="alert" tabindex="-1"><h2>请检查以下内容</h2><ul>${errorList.map(
        ([field, message]) => html`<li><a href="#${field}">${message}</a></li>`,
      )}</ul></div>`
    : ''
}
<form method="post" action="${VISIT_PATH}/${f.token}">
<fieldset class="field${e.rating ? ' has-error' : ''}" id="rating"><legend>总体评价</legend>
${e.rating ? html`<p class="error">${e.rating}</p>` : ''}
<div class="choices">${ratings.map(
      ([value, text]) =>
        html`<label><input type="radio" name="rating" value="${value}" ${v.rating === value ? html`checked` : ''} required> ${text}</label>`,
    )}</div></fieldset>
<fieldset class="field${e.satisfied ? ' has-error' : ''}" id="satisfied"><legend>问题是否已解决，您是否满意？</legend>
${e.satisfied ? html`<p class="error">${e.satisfied}</p>` : ''}
<div class="choices">
<label><input type="radio" name="satisfied" value="yes" ${v.satisfied === 'yes' ? html`checked` : ''} required> 满意，问题已解决</label>
<label><input type="radio" name="satisfied" value="no" ${v.satisfied === 'no' ? html`checked` : ''}> 不满意，需要继续处理</label>
</div></fieldset>
<div class="field${e.comments ? ' has-error' : ''}"><label for="comments">意见和建议 <span class="opt">（选填）</span></label>
${e.comments ? html`<p class="error">${e.comments}</p>` : ''}
<textarea id="comments" name="comments" maxlength="2000">${v.comments ?? ''}</textarea></div>
<button type="submit">提交评价</button>
</form>`,
  );
}

export function renderVisitThanks(caseNumber: string, satisfied: boolean): string {
  return page(
    '感谢您的评价',
    html`<h1>感谢您的评价</h1><p role="status">您对案件 <strong>${caseNumber}</strong> 的评价已收到。${
      satisfied ? '感谢您对我们工作的支持！' : '我们会重新安排处理，并尽快与您联系。'
    }</p>`,
  );
}

/** A link that cannot be used (again): said plainly, with the hotline as the way on. */
export function renderVisitClosed(title: string, message: string): string {
  return page(title, html`<h1>${title}</h1><p role="alert">${message}</p>`);
}
