// @ts-check
// The case detail's transitions: one small form per transition in a <dialog>, a confirmation step for
// those that cannot be undone, the API call, and what the page shows afterwards.
import { api, ApiError } from './api.js';
import { customChainHint } from './case-timeline.js';
import { warrantyBody, warrantyFields } from './case-warranty.js';
import { $, formValues } from './dom.js';
import { html, mount } from './html.js';
import { register, t } from './i18n.js';
import { dialogSession, errorBox } from './ui.js';

/** The API path segment of each transition (POST /cases/:id/<segment>). @type {Record<string, string>} */
export const endpoint = {
  accept: 'accept',
  reject: 'reject',
  assign: 'assign',
  reply: 'reply',
  moveReplyDate: 'reply-date',
  escalate: 'escalate',
  coordinate: 'coordinate',
  addEvidence: 'evidence',
  signedForm: 'signed-forms',
  handlingPlan: 'handling-plan',
  siteSurvey: 'site-survey',
  surveyAppointment: 'survey-appointment',
  resolve: 'result',
  returnVisit: 'return-visit',
  close: 'close',
  correctWarranty: 'warranty',
};

/** Transitions that are not a POST (the rest are). @type {Record<string, string>} */
export const method = { correctWarranty: 'PATCH' };

register({
  zh: {
    'case-actions.replySent':
      '选择短信、邮件或信函时，答复会发送给反映人（必达：短信不达改邮件，再改信件）；电话、当面仅作记录。',
    'case-actions.rejectReplyVia': '给客户的礼貌答复（可选）',
    'case-actions.rejectReplyNone': '不发送（已电话答复）',
    'case-actions.rejectReplyContent': '答复内容',
    'case-actions.rating': '评分',
    'case-actions.ratingNone': '未评分',
    'case-actions.rating.5': '5 非常满意',
    'case-actions.rating.4': '4 满意',
    'case-actions.rating.3': '3 一般',
    'case-actions.rating.2': '2 不满意',
    'case-actions.rating.1': '1 非常不满意',
    'case-actions.visitVia': '回访方式',
    'case-actions.visitVia.phone': '电话回访',
    'case-actions.visitVia.in_person': '上门回访',
    'case-actions.visitVia.other': '其他',
    'case-actions.analysis': '原因分析',
    'case-actions.plan': '处理方案',
    'case-actions.planHint': '责任部门在接手后 1 小时内填写（004 篇2 §4.D）；填写后不再提醒。',
    'case-actions.coordinateHint': '需要多个部门协调行动才能解决的投诉，直接交总经理作出处理意见（002 §7.3.5）。',
    'case-actions.departments': '涉及的部门（至少两个）',
    'case-actions.evidenceKind': '证据类型',
    'case-actions.evidenceKind.photo': '照片',
    'case-actions.evidenceKind.recording': '录音',
    'case-actions.evidenceKind.document': '文件',
    'case-actions.caption': '说明',
    'case-actions.file': '文件',
    'case-actions.formKind': '表单',
    'case-actions.formKind.reply': '当面答复签字',
    'case-actions.formKind.evaluation': '客户评价签字',
    'case-actions.formKind.repair_signoff': '维修验收签字',
    'case-actions.signedAt': '签字时间',
    'case-actions.evaluation': '客户评价（评价表填写）',
    'case-actions.photo': '签字表单照片',
    'case-actions.tellOwner': '告知业主处理方案',
    'case-actions.tellOwnerNone': '不告知',
    'case-actions.surveyedAt': '查勘时间',
    'case-actions.findings': '查勘情况',
    'case-actions.agreedAt': '与业主约定的查勘时间',
    'case-actions.agreedHint': '约定时间即为现场查勘的期限（003 §11.2.2）。',
    'case-actions.visitHint':
      '处理结果登记后，系统已向反映人发送带回访链接的短信或邮件；业主在链接中评价后这里无需再记录。',
  },
  en: {
    'case-actions.replySent':
      'By SMS, email or letter the reply is sent to the reporter (it must arrive: SMS falls back to email, then letter); by phone or in person it is recorded only.',
    'case-actions.rejectReplyVia': 'A polite answer to the customer (optional)',
    'case-actions.rejectReplyNone': 'None (answered by phone)',
    'case-actions.rejectReplyContent': 'Answer',
    'case-actions.rating': 'Rating',
    'case-actions.ratingNone': 'Not rated',
    'case-actions.rating.5': '5 very satisfied',
    'case-actions.rating.4': '4 satisfied',
    'case-actions.rating.3': '3 neutral',
    'case-actions.rating.2': '2 dissatisfied',
    'case-actions.rating.1': '1 very dissatisfied',
    'case-actions.visitVia': 'How',
    'case-actions.visitVia.phone': 'By phone',
    'case-actions.visitVia.in_person': 'In person',
    'case-actions.visitVia.other': 'Other',
    'case-actions.analysis': 'Analysis',
    'case-actions.plan': 'Handling plan',
    'case-actions.planHint':
      'The responsible department fills it in within 1 hour of taking the case (004 篇2 §4.D); no more reminders once it is in.',
    'case-actions.coordinateHint':
      'A complaint only several departments acting together can resolve goes straight to the GM for a handling opinion (002 §7.3.5).',
    'case-actions.departments': 'Departments involved (at least two)',
    'case-actions.evidenceKind': 'Kind',
    'case-actions.evidenceKind.photo': 'Photo',
    'case-actions.evidenceKind.recording': 'Recording',
    'case-actions.evidenceKind.document': 'Document',
    'case-actions.caption': 'Caption',
    'case-actions.file': 'File',
    'case-actions.formKind': 'Form',
    'case-actions.formKind.reply': 'Face-to-face reply, signed',
    'case-actions.formKind.evaluation': "Customer's evaluation, signed",
    'case-actions.formKind.repair_signoff': 'Repair sign-off',
    'case-actions.signedAt': 'Signed at',
    'case-actions.evaluation': "Customer's evaluation (for an evaluation form)",
    'case-actions.photo': 'Photo of the signed form',
    'case-actions.tellOwner': 'Tell the owner the plan',
    'case-actions.tellOwnerNone': 'No',
    'case-actions.surveyedAt': 'Surveyed at',
    'case-actions.findings': 'Findings',
    'case-actions.agreedAt': 'Survey time agreed with the owner',
    'case-actions.agreedHint': 'The agreed time becomes the site-survey deadline (003 §11.2.2).',
    'case-actions.visitHint':
      'When the result was recorded the reporter was sent a return-visit link by SMS or email; an answer given there needs no record here.',
  },
});

/** Transitions that cannot be undone: the dialog asks once more before sending. */
export const irreversible = new Set(['reject', 'close', 'escalate', 'coordinate']);

/** @param {string} id @param {string} text @param {{ required?: boolean, rows?: boolean, hint?: string }} [o] */
function textField(id, text, o = {}) {
  const optional = o.required ? '' : html` <span class="opt">${t('case-detail.optional')}</span>`;
  return html`<div class="field"><label for="cd-${id}">${text}${optional}</label>
    ${o.hint ? html`<p class="hint" id="cd-${id}-hint">${o.hint}</p>` : ''}
    ${
      o.rows === false
        ? html`<input id="cd-${id}" name="${id}" ${o.required ? html`required` : ''} ${o.hint ? html`aria-describedby="cd-${id}-hint"` : ''}>`
        : html`<textarea id="cd-${id}" name="${id}" rows="3" ${o.required ? html`required minlength="2"` : ''} ${o.hint ? html`aria-describedby="cd-${id}-hint"` : ''}></textarea>`
    }
  </div>`;
}

/** Beijing wall-clock "2026-11-30T18:00" for a datetime-local input. @param {string | Date} v */
function localInput(v) {
  const d = new Date(new Date(v).getTime() + 8 * 3600_000);
  return d.toISOString().slice(0, 16);
}

/**
 * The form fields of one transition.
 * @param {string} name
 * @param {any} detail the case detail answer
 */
export function fieldsFor(name, detail) {
  switch (name) {
    case 'accept':
      return textField('note', t('case-detail.field.note'));
    case 'reject':
      return html`${textField('reason', t('case-detail.field.rejectReason'), { required: true })}
        <div class="field"><label for="cd-replyVia">${t('case-actions.rejectReplyVia')}</label>
          <select id="cd-replyVia" name="replyVia"><option value="">${t('case-actions.rejectReplyNone')}</option>${[
            'sms',
            'email',
            'letter',
          ].map((v) => html`<option value="${v}">${t(`case-detail.via.${v}`)}</option>`)}</select></div>
        ${textField('replyContent', t('case-actions.rejectReplyContent'))}`;
    case 'assign': {
      const to = detail.assignTo ?? { departments: [], staff: [] };
      return html`<div class="field"><label for="cd-departmentId">${t('case-detail.field.department')}</label>
          <select id="cd-departmentId" name="departmentId"><option value="">—</option>${to.departments.map(
            (/** @type {any} */ d) => html`<option value="${d.id}">${d.name}</option>`,
          )}</select></div>
        <div class="field"><label for="cd-assigneeId">${t('case-detail.field.assignee')}</label>
          <select id="cd-assigneeId" name="assigneeId"><option value="">—</option>${to.staff.map(
            (/** @type {any} */ s) =>
              html`<option value="${s.id}">${s.name}${s.departmentName ? ` · ${s.departmentName}` : ''}</option>`,
          )}</select>
          <p class="hint">${t('case-detail.assignHint')}</p></div>
        ${textField('note', t('case-detail.field.note'))}`;
    }
    case 'reply':
      return html`<div class="field"><label for="cd-via">${t('case-detail.field.via')}</label>
          <select id="cd-via" name="via" required aria-describedby="cd-via-hint">${['phone', 'sms', 'email', 'letter', 'in_person'].map((v) => html`<option value="${v}">${t(`case-detail.via.${v}`)}</option>`)}</select>
          <p class="hint" id="cd-via-hint">${t('case-actions.replySent')}</p></div>
        ${textField('content', t('case-detail.field.content'), { required: true })}`;
    case 'moveReplyDate': {
      const current = detail.case.promisedReplyAt;
      return html`<div class="field"><label for="cd-newDate">${t('case-detail.field.newDate')}</label>
          <p class="hint" id="cd-newDate-hint">${t('case-detail.newDateHint', { n: detail.case.replyDateMoves })}</p>
          <input id="cd-newDate" name="newDate" type="datetime-local" required aria-describedby="cd-newDate-hint" ${current ? html`min="${localInput(current)}" value="${localInput(new Date(new Date(current).getTime() + 86_400_000))}"` : ''}></div>
        <div class="field"><label><input type="checkbox" name="customerAgreed" value="true" required> ${t('case-detail.field.customerAgreed')}</label></div>
        ${textField('reason', t('case-detail.field.reason'), { required: true })}`;
    }
    case 'escalate':
      return textField('reason', t('case-detail.field.escalateReason'), {
        required: true,
        hint:
          customChainHint(detail.escalationChain, detail.case.escalationLevel + 1) ??
          t('case-detail.escalateHint', { level: detail.case.escalationLevel + 1 }),
      });
    case 'addEvidence':
      return html`<div class="field"><label for="cd-kind">${t('case-actions.evidenceKind')}</label>
          <select id="cd-kind" name="kind">${['photo', 'recording', 'document'].map(
            (v) => html`<option value="${v}">${t(`case-actions.evidenceKind.${v}`)}</option>`,
          )}</select></div>
        ${textField('caption', t('case-actions.caption'), { required: true, rows: false })}
        <div class="field"><label for="cd-file">${t('case-actions.file')}</label>
          <input id="cd-file" name="file" type="file" required></div>`;
    case 'signedForm':
      return html`<div class="field"><label for="cd-formKind">${t('case-actions.formKind')}</label>
          <select id="cd-formKind" name="formKind">${['reply', 'evaluation', 'repair_signoff'].map(
            (v) => html`<option value="${v}">${t(`case-actions.formKind.${v}`)}</option>`,
          )}</select></div>
        <div class="field"><label for="cd-signedAt">${t('case-actions.signedAt')}</label>
          <input id="cd-signedAt" name="signedAt" type="datetime-local" required value="${localInput(new Date())}"></div>
        <fieldset><legend>${t('case-actions.evaluation')}</legend>
          <label><input type="radio" name="satisfied" value="true"> ${t('case-detail.satisfied')}</label>
          <label><input type="radio" name="satisfied" value="false"> ${t('case-detail.unsatisfied')}</label></fieldset>
        ${textField('comments', t('case-detail.field.comments'))}
        <div class="field"><label for="cd-photo">${t('case-actions.photo')}</label>
          <input id="cd-photo" name="photo" type="file" accept="image/*" required></div>`;
    case 'coordinate':
      return html`<p class="hint">${t('case-actions.coordinateHint')}</p>
        <fieldset><legend>${t('case-actions.departments')}</legend>${(detail.assignTo?.departments ?? []).map(
          (/** @type {any} */ d) =>
            html`<label><input type="checkbox" name="departmentIds" value="${d.id}"> ${d.name}</label>`,
        )}</fieldset>
        ${textField('reason', t('case-detail.field.reason'))}`;
    case 'handlingPlan':
      return html`<p class="hint">${t('case-actions.planHint')}</p>
        ${textField('analysis', t('case-actions.analysis'), { required: true })}
        ${textField('plan', t('case-actions.plan'), { required: true })}
        <div class="field"><label for="cd-tellOwner">${t('case-actions.tellOwner')}</label>
          <select id="cd-tellOwner" name="tellOwner"><option value="">${t('case-actions.tellOwnerNone')}</option>${[
            'sms',
            'email',
            'letter',
          ].map((v) => html`<option value="${v}">${t(`case-detail.via.${v}`)}</option>`)}</select></div>`;
    case 'siteSurvey':
      return html`<div class="field"><label for="cd-surveyedAt">${t('case-actions.surveyedAt')}</label>
          <input id="cd-surveyedAt" name="surveyedAt" type="datetime-local" required value="${localInput(new Date())}"></div>
        ${textField('findings', t('case-actions.findings'), { required: true })}`;
    case 'surveyAppointment':
      return html`<div class="field"><label for="cd-agreedAt">${t('case-actions.agreedAt')}</label>
          <p class="hint" id="cd-agreedAt-hint">${t('case-actions.agreedHint')}</p>
          <input id="cd-agreedAt" name="agreedAt" type="datetime-local" required aria-describedby="cd-agreedAt-hint" min="${localInput(new Date())}"></div>
        ${textField('note', t('case-detail.field.note'))}`;
    case 'resolve':
      return textField('result', t('case-detail.field.result'), { required: true });
    case 'returnVisit':
      return html`<p class="hint">${t('case-actions.visitHint')}</p>
        <div class="field"><label for="cd-visitVia">${t('case-actions.visitVia')}</label>
          <select id="cd-visitVia" name="via">${['phone', 'in_person', 'other'].map(
            (v) => html`<option value="${v}">${t(`case-actions.visitVia.${v}`)}</option>`,
          )}</select></div>
        <fieldset><legend>${t('case-detail.field.satisfied')}</legend>
          <label><input type="radio" name="satisfied" value="true" required> ${t('case-detail.satisfied')}</label>
          <label><input type="radio" name="satisfied" value="false"> ${t('case-detail.unsatisfiedReopens')}</label></fieldset>
        <div class="field"><label for="cd-rating">${t('case-actions.rating')}</label>
          <select id="cd-rating" name="rating"><option value="">${t('case-actions.ratingNone')}</option>${[
            '5',
            '4',
            '3',
            '2',
            '1',
          ].map((v) => html`<option value="${v}">${t(`case-actions.rating.${v}`)}</option>`)}</select></div>
        ${textField('comments', t('case-detail.field.comments'))}
        ${textField('openProblems', t('case-detail.field.openProblems'))}`;
    case 'close':
      return textField('note', t('case-detail.field.note'));
    case 'correctWarranty':
      return html`${warrantyFields(detail)}${textField('reason', t('case-detail.field.reason'), { required: true })}`;
    default:
      return html``;
  }
}

/**
 * A multipart body (evidence, signed forms): the form's fields as they are, times read as Beijing time.
 * @param {HTMLFormElement} form
 */
function multipartFor(form) {
  const data = new FormData(form);
  const signedAt = data.get('signedAt');
  if (typeof signedAt === 'string' && signedAt)
    data.set('signedAt', `${signedAt.length === 16 ? `${signedAt}:00` : signedAt}+08:00`);
  for (const [k, v] of [...data.entries()]) if (v === '') data.delete(k);
  return data;
}

/**
 * The request body of a transition from its form: trimmed strings, empty fields left out; a
 * datetime-local is Beijing time; checkboxes and yes/no radios become booleans.
 * @param {string} name
 * @param {HTMLFormElement} form
 * @returns {Record<string, unknown> | FormData}
 */
export function bodyFor(name, form) {
  if (name === 'addEvidence' || name === 'signedForm') return multipartFor(form);
  if (name === 'correctWarranty') return warrantyBody(form);
  /** @type {Record<string, unknown>} */
  const body = formValues(form);
  for (const field of ['newDate', 'surveyedAt', 'agreedAt']) {
    const v = body[field];
    if (typeof v === 'string') body[field] = `${v.length === 16 ? `${v}:00` : v}+08:00`;
  }
  if (name === 'coordinate')
    body.departmentIds = [...form.querySelectorAll('input[name="departmentIds"]:checked')].map(
      (el) => /** @type {HTMLInputElement} */ (el).value,
    );
  if (name === 'moveReplyDate') body.customerAgreed = body.customerAgreed === 'true';
  if (name === 'returnVisit') {
    body.satisfied = body.satisfied === 'true';
    if (typeof body.rating === 'string') body.rating = Number(body.rating);
  }
  if (name === 'reject') {
    const { replyVia, replyContent } = body;
    delete body.replyVia;
    delete body.replyContent;
    if (replyVia) body.reply = { via: replyVia, content: replyContent ?? '' };
  }
  return body;
}

/**
 * Opens the dialog of one transition; resolves true once the API accepted it, false if cancelled.
 * Focus goes to the first field, Escape cancels, and focus returns to `opener`.
 * @param {HTMLDialogElement} dialog
 * @param {{ name: string, detail: any, opener: HTMLElement }} o
 * @returns {Promise<boolean>}
 */
export function runTransition(dialog, { name, detail, opener }) {
  const title = t(`case-detail.tr.${name}`);
  const danger = irreversible.has(name);
  mount(
    dialog,
    html`<form method="dialog" class="case-dialog-form" novalidate>
      <h2 id="case-dialog-title">${title} · ${detail.case.number}</h2>
      <div class="case-dialog-error"></div>
      <div class="case-step-fill">${fieldsFor(name, detail)}
        <div class="actions"><button type="submit" class="${danger ? 'danger' : ''}">${danger ? t('case-detail.next') : title}</button>
          <button type="button" class="secondary" data-cancel>${t('app.cancel')}</button></div></div>
      <div class="case-step-confirm" hidden>
        <p class="notice" role="alert">${t(`case-detail.confirm.${name}`, { number: detail.case.number })} ${t('case-detail.cannotUndo')}</p>
        <div class="actions"><button type="button" class="danger" data-confirm>${t('case-detail.confirmDo', { action: title })}</button>
          <button type="button" class="secondary" data-back>${t('case-detail.back')}</button></div></div>
    </form>`,
  );
  dialog.setAttribute('aria-labelledby', 'case-dialog-title');
  const form = /** @type {HTMLFormElement} */ ($('form', dialog));
  const fill = $('.case-step-fill', dialog);
  const confirm = $('.case-step-confirm', dialog);
  const errors = $('.case-dialog-error', dialog);
  const firstField = () => /** @type {HTMLElement | null} */ (fill.querySelector('input, select, textarea, button'));

  return dialogSession(dialog, opener, (finish) => {
    $('[data-back]', dialog).addEventListener('click', () => {
      confirm.hidden = true;
      fill.hidden = false;
      firstField()?.focus();
    });

    const send = async () => {
      const buttons = [...dialog.querySelectorAll('button')];
      buttons.forEach((b) => b.setAttribute('disabled', ''));
      try {
        await api(`cases/${detail.case.id}/${endpoint[name] ?? name}`, {
          method: method[name] ?? 'POST',
          body: bodyFor(name, form),
        });
        finish(true);
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return finish(false);
        mount(errors, errorBox(err));
        confirm.hidden = true;
        fill.hidden = false;
        const bad = err instanceof ApiError ? err.fields[0]?.field : undefined;
        const target = bad
          ? /** @type {HTMLElement | null} */ (form.querySelector(`[name="${CSS.escape(bad)}"]`))
          : null;
        (target ?? firstField())?.focus();
      } finally {
        buttons.forEach((b) => b.removeAttribute('disabled'));
      }
    };

    form.addEventListener('submit', (e) => {
      e.preventDefault();
      mount(errors, html``);
      if (!form.checkValidity()) {
        form.reportValidity();
        return;
      }
      if (danger) {
        fill.hidden = true;
        confirm.hidden = false;
        $('[data-confirm]', dialog).focus();
        return;
      }
      void send();
    });
    $('[data-confirm]', dialog).addEventListener('click', () => void send());

    dialog.showModal();
    firstField()?.focus();
  });
}
