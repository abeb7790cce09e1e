import { html, page } from './html';
import { FORM_PATH } from './form.page';

export interface Receipt {
  number: string;
  /** "11月25日（星期三）18:00", or null when no promise could be computed. */
  promise: string | null;
  description: string;
}

/** After a submission: the case number and the promised reply date, and what was received (escaped). */
export function renderReceipt(r: Receipt): string {
  return page(
    '提交成功',
    html`<h1>提交成功</h1>
<div role="status">
<p class="receipt">您的编号：<strong>${r.number}</strong></p>
<p class="receipt">${r.promise ? html`我们会在<strong>${r.promise}</strong>前答复您。` : '我们会尽快答复您。'}</p>
</div>
<p>请保存此编号，来电查询时报上编号即可。</p>
<h2>您反映的问题</h2>
<blockquote>${r.description}</blockquote>
<p><a href="${FORM_PATH}">再反映一个问题</a></p>`,
  );
}

/** What the honeypot gets: nothing that tells a bot it was caught, nothing that looks like a receipt. */
export function renderThanks(): string {
  return page(
    '已收到',
    html`<h1>已收到</h1><p role="status">感谢您的反馈，我们已收到。</p><p><a href="${FORM_PATH}">返回</a></p>`,
  );
}

/** An error the form cannot show next to a field (too many submissions, service down). */
export function renderProblem(title: string, message: string): string {
  return page(
    title,
    html`<h1>${title}</h1><p role="alert">${message}</p><p><a href="${FORM_PATH}">返回填写页面</a></p>`,
  );
}
