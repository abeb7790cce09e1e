import type { FieldProblem } from '@kefu/shared';
import { html, page, type SafeHtml } from './html';
import { PHOTO_MAX_BYTES, PHOTO_MAX_COUNT } from './photos';
import { fieldLabels, HONEYPOT_FIELD, webCaseTypeLabels, webCaseTypes, type FormValues } from './web-form.dto';

export const FORM_PATH = '/complaint';
export const POW_SCRIPT_PATH = '/complaint/pow.js';

export interface FormPage {
  projects: Array<{ id: string; name: string }>;
  values: FormValues;
  problems: FieldProblem[];
  /** The signed challenge; also the one-time key of this submission. */
  challenge: string;
  /** A nonce already found for this challenge (kept across a re-render), or ''. */
  nonce: string;
  bits: number;
  noJsLimit: number;
  /** A message above the form (e.g. "already submitted"). */
  notice?: string | null;
}

export const emptyValues: FormValues = {
  name: '',
  mobile: '',
  email: '',
  projectId: '',
  unitText: '',
  type: '',
  description: '',
};

type Field = keyof FormValues | 'photos' | 'challenge';

/** The element a message about `field` links to. */
const anchor = (field: string): string =>
  field === 'type' ? 'f-type-complaint' : field === 'challenge' || field === 'nonce' ? 'f-submit' : `f-${field}`;

function describedBy(field: Field, hint: boolean, error: boolean): string | null {
  const ids = [hint ? `f-${field}-hint` : '', error ? `f-${field}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : null;
}

function errorLine(field: Field, message: string | undefined): SafeHtml {
  return html`${message ? html`<p class="error" id="f-${field}-error">${message}</p>` : ''}`;
}

function input(o: {
  field: keyof FormValues;
  type: string;
  value: string;
  error?: string;
  hint?: string;
  required: boolean;
  extra: SafeHtml;
}): SafeHtml {
  const label = fieldLabels[o.field];
  const by = describedBy(o.field, !!o.hint, !!o.error);
  return html`<div class="field${o.error ? ' has-error' : ''}">
<label for="f-${o.field}">${label}${o.required ? '' : html` <span class="opt">（选填）</span>`}</label>
${o.hint ? html`<p class="hint" id="f-${o.field}-hint">${o.hint}</p>` : ''}${errorLine(o.field, o.error)}
<input type="${o.type}" id="f-${o.field}" name="${o.field}" value="${o.value}"${o.required ? html` required` : ''}${o.error ? html` aria-invalid="true"` : ''}${by ? html` aria-describedby="${by}"` : ''} ${o.extra}>
</div>`;
}

/** The public complaint form: a plain multipart form that works without JavaScript. */
export function renderForm(p: FormPage): string {
  const err = (f: string) => p.problems.find((x) => x.field === f)?.message;
  const v = p.values;
  const summary = p.problems.length
    ? html`<div class="summary" role="alert" tabindex="-1" autofocus id="error-summary" aria-labelledby="error-summary-title">
<h2 id="error-summary-title">提交未成功，请修改以下${p.problems.length}处：</h2>
<ul>${p.problems.map((x) => html`<li><a href="#${anchor(x.field)}">${fieldLabels[x.field as keyof typeof fieldLabels] ?? x.field}：${x.message}</a></li>`)}</ul>
</div>`
    : '';
  const typeError = err('type');
  const projectError = err('projectId');
  const descriptionError = err('description');
  const photosError =
    p.problems
      .filter((x) => x.field === 'photos')
      .map((x) => x.message)
      .join('；') || undefined;
  const powError = err('challenge') ?? err('nonce');
  const body = html`<h1>业主投诉与报修</h1>
<p>请填写以下信息，我们收到后会告诉您编号和答复时间。带“（选填）”的可以不填，其余必填。</p>
${p.notice ? html`<p class="notice" role="status">${p.notice}</p>` : ''}
${summary}
<form id="complaint-form" method="post" action="${FORM_PATH}" enctype="multipart/form-data" accept-charset="utf-8" data-pow-bits="${p.bits}">
${input({ field: 'name', type: 'text', value: v.name, error: err('name'), required: true, extra: html`autocomplete="name" maxlength="50"` })}
${input({ field: 'mobile', type: 'tel', value: v.mobile, error: err('mobile'), hint: '中国大陆11位手机号，用于联系您', required: true, extra: html`autocomplete="tel" inputmode="tel" maxlength="30"` })}
${input({ field: 'email', type: 'email', value: v.email, error: err('email'), required: false, extra: html`autocomplete="email" maxlength="200"` })}
<div class="field${projectError ? ' has-error' : ''}">
<label for="f-projectId">${fieldLabels.projectId}</label>
${errorLine('projectId', projectError)}
<select id="f-projectId" name="projectId" required${projectError ? html` aria-invalid="true" aria-describedby="f-projectId-error"` : ''}>
<option value="">请选择</option>
${p.projects.map((x) => html`<option value="${x.id}"${x.id === v.projectId ? html` selected` : ''}>${x.name}</option>`)}
</select>
</div>
${input({ field: 'unitText', type: 'text', value: v.unitText, error: err('unitText'), hint: '例如：3栋2单元1502', required: true, extra: html`maxlength="100"` })}
<fieldset class="field${typeError ? ' has-error' : ''}"${typeError ? html` aria-describedby="f-type-error"` : ''}>
<legend>${fieldLabels.type}</legend>
${errorLine('type', typeError)}
<div class="choices">${webCaseTypes.map((t) => html`<label><input type="radio" id="f-type-${t}" name="type" value="${t}"${v.type === t ? html` checked` : ''} required> ${webCaseTypeLabels[t]}</label>`)}</div>
</fieldset>
<div class="field${descriptionError ? ' has-error' : ''}">
<label for="f-description">${fieldLabels.description}</label>
<p class="hint" id="f-description-hint">请写清楚发生了什么、在哪里、从什么时候开始。</p>
${errorLine('description', descriptionError)}
<textarea id="f-description" name="description" required maxlength="5000" aria-describedby="${describedBy('description', true, !!descriptionError)}"${descriptionError ? html` aria-invalid="true"` : ''}>${v.description}</textarea>
</div>
<div class="hp" aria-hidden="true">
<label for="f-${HONEYPOT_FIELD}">网址（请勿填写）</label>
<input type="text" id="f-${HONEYPOT_FIELD}" name="${HONEYPOT_FIELD}" value="" tabindex="-1" autocomplete="off">
</div>
<!-- The file input comes last: if an upload is cut short, every text field before it has arrived. -->
<input type="hidden" name="challenge" value="${p.challenge}">
<input type="hidden" name="nonce" value="${p.nonce}">
<div class="field${photosError ? ' has-error' : ''}">
<label for="f-photos">${fieldLabels.photos} <span class="opt">（选填）</span></label>
<p class="hint" id="f-photos-hint">最多${PHOTO_MAX_COUNT}张，每张不超过${PHOTO_MAX_BYTES / 1024 / 1024}MB，支持 JPG、PNG、WebP、HEIC。${p.problems.length ? '如需附照片，请重新选择（浏览器不会保留已选的文件）。' : ''}</p>
${errorLine('photos', photosError)}
<input type="file" id="f-photos" name="photos" multiple accept="image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif" aria-describedby="${describedBy('photos', true, !!photosError)}"${photosError ? html` aria-invalid="true"` : ''}>
</div>
${powError ? html`<p class="error" id="f-challenge-error" role="alert">${powError}</p>` : ''}
<p id="pow-status" class="hint" aria-live="polite"></p>
<noscript><p class="hint">您的浏览器未启用JavaScript，仍可提交；为防止滥用，同一网络每小时最多可提交${p.noJsLimit}次。</p></noscript>
<button type="submit" id="f-submit">提交</button>
</form>`;
  return page('业主投诉与报修', body, { script: p.bits > 0 ? POW_SCRIPT_PATH : undefined });
}
