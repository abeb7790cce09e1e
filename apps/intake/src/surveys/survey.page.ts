import { scaleLabels, SURVEY_PATH, type SurveyQuestion } from '@kefu/shared';
import { html, page } from '../web-form/html';

export interface SurveyForm {
  token: string;
  title: string;
  estateName: string;
  unitLabel: string;
  questions: SurveyQuestion[];
  /** What the owner chose before a validation error, and the errors by question id. */
  values?: Record<string, string>;
  errors?: Record<string, string>;
}

export const TEXT_MAX = 2000;

/** 满意度调查: the owner's questionnaire — server-rendered, works without JavaScript, one fieldset per question. */
export function renderSurveyForm(f: SurveyForm): string {
  const v = f.values ?? {};
  const e = f.errors ?? {};
  const errorList = Object.entries(e);
  return page(
    f.title,
    html`<h1>${f.title}</h1>
<p>${f.estateName}${f.unitLabel}的业主您好！请根据您的感受为下列各项打分（5 分最满意），约需 3 分钟。每个链接只能提交一次。</p>
${
  errorList.length
    ? html`<div class="summary" role="alert" tabindex="-1"><h2>请检查以下内容</h2><ul>${errorList.map(
        ([field, message]) => html`<li><a href="#q-${field}">${message}</a></li>`,
      )}</ul></div>`
    : ''
}
<form method="post" action="${SURVEY_PATH}/${f.token}">
${f.questions.map((q, i) =>
  q.type === 'scale'
    ? html`<fieldset class="field${e[q.id] ? ' has-error' : ''}" id="q-${q.id}"><legend>${i + 1}. ${q.label}${
        q.required ? '' : html` <span class="opt">（选填）</span>`
      }</legend>
${e[q.id] ? html`<p class="error">${e[q.id]}</p>` : ''}
<div class="choices">${[5, 4, 3, 2, 1].map(
        (n) =>
          html`<label><input type="radio" name="${q.id}" value="${n}" ${v[q.id] === String(n) ? html`checked` : ''} ${
            q.required && n === 5 ? html`required` : ''
          }> ${n} ${scaleLabels[n]}</label>`,
      )}</div></fieldset>`
    : html`<div class="field${e[q.id] ? ' has-error' : ''}" id="q-${q.id}"><label for="t-${q.id}">${i + 1}. ${q.label}${
        q.required ? '' : html` <span class="opt">（选填）</span>`
      }</label>
${e[q.id] ? html`<p class="error">${e[q.id]}</p>` : ''}
<textarea id="t-${q.id}" name="${q.id}" maxlength="${TEXT_MAX}">${v[q.id] ?? ''}</textarea></div>`,
)}
<button type="submit">提交问卷</button>
</form>`,
  );
}

export function renderSurveyThanks(title: string): string {
  return page(
    '感谢您的参与',
    html`<h1>感谢您的参与</h1><p role="status">您对「${title}」的回答已收到。我们会认真研究每一条意见，持续改进产品和服务。</p>`,
  );
}

/** A link that cannot be used (again): said plainly, with the hotline as the way on. */
export function renderSurveyClosed(title: string, message: string): string {
  return page(title, html`<h1>${title}</h1><p role="alert">${message}</p>`);
}
