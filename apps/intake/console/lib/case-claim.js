// @ts-check
// A claim's (索赔) report on the case page (GET /cases/:id/claim) and the dialog that records each step
// (POST /cases/:id/claim-steps; apps/intake/src/cases/claims: claim.dto.ts the fields, claims.service.ts the rules).
import { api, ApiError } from './api.js';
import { claimMessages } from './case-claim-messages.js';
import { $ } from './dom.js';
import { clearFieldErrors, showFieldErrors } from './field-errors.js';
import { dateTime, yuan } from './format.js';
import { html, mount } from './html.js';
import { register, t } from './i18n.js';
import { oneLanguage } from './terms.js';
import { dialogSession, errorBox } from './ui.js';

/** In the order of the flow (SM03-03). */
export const claimSteps = ['responsibility', 'proposal', 'legal_review', 'owner_agreement', 'approval', 'charge_back'];
/** claims.service.ts `openStatuses`: steps are recorded while the claim is being handled. */
const openStatuses = ['accepted', 'assigned', 'replied'];
/** claims.service.ts `leaders`: who may approve. */
export const claimApprovers = ['vice_gm', 'gm', 'admin'];
const parties = ['company', 'contractor', 'owner', 'third_party'];

register(claimMessages);

/**
 * What claims.service.ts says is missing ("判定责任 responsibility", "客户认可 owner agreement"…) in words.
 * @param {string} m
 */
function missingName(m) {
  const key = ['responsibility', 'proposal', 'owner_agreement', 'approval'].find((k) =>
    m.endsWith(k.replace('_', ' ')),
  );
  return key ? t(`claim.missing.${key}`) : m;
}

/** @param {any} s a recorded step */
const byLine = (s) => html`<span class="muted claim-by">${t('claim.by', { by: s.by, at: dateTime(s.at) })}</span>`;

/** One recorded step in words (also the timeline's claim events). @param {string} step @param {Record<string, any>} d */
export function claimStepText(step, d) {
  switch (step) {
    case 'responsibility':
      return [
        t(`claim.party.${d.party}`),
        d.contractor,
        ['owner', 'third_party'].includes(d.party) ? t('claim.notOurs') : null,
        d.note,
      ]
        .filter(Boolean)
        .join(' · ');
    case 'proposal':
      return `${yuan(d.amount)} · ${d.plan ?? ''}`;
    case 'legal_review':
      return t('claim.opinionLine', {
        lawyer: d.lawyer ?? '',
        supports: d.supportsProposal ? t('claim.supports') : t('claim.opposes'),
        opinion: d.opinion ?? '',
      });
    case 'owner_agreement':
      return [d.agreed ? t('claim.agreed') : t('claim.refusedShort'), d.note].filter(Boolean).join(' · ');
    case 'approval':
      return [d.approved ? t('claim.approved') : t('claim.rejected'), d.note].filter(Boolean).join(' · ');
    case 'charge_back':
      return [d.contractor, yuan(d.amount), d.noticeNumber].filter(Boolean).join(' · ');
    default:
      return JSON.stringify(d);
  }
}

/** @param {string} step @param {any} s @param {boolean} [forProposal] */
function stepValue(step, s, forProposal = false) {
  if (!s) return html`<span class="muted">${t('claim.notYet')}${forProposal ? t('claim.forProposal') : ''}</span>`;
  return html`<span class="pre">${claimStepText(step, s.details)}</span> ${byLine(s)}`;
}

/** The steps this staff member may record now (what claims.service.ts would accept). @param {any} report @param {string} role */
function recordable(report, role) {
  return claimSteps.filter((step) => {
    if (step === 'proposal') return !!report.responsibility;
    if (step === 'legal_review' || step === 'owner_agreement') return !!report.proposal;
    if (step === 'approval') return !!report.proposal && claimApprovers.includes(role);
    if (step === 'charge_back') return report.responsibility?.details.party === 'contractor';
    return true;
  });
}

/**
 * The claim card: where the claim stands, what is missing, the buttons of the steps that may be recorded now.
 * @param {any} report GET /cases/:id/claim, or an error
 * @param {{ status: string, mayAct: boolean, role: string }} o
 */
export function claimView(report, o) {
  if (!report || report instanceof Error)
    return html`<section class="card case-claim" aria-labelledby="case-claim-h"><h2 id="case-claim-h" class="case-h">${t('claim.title')}</h2><p>${t('claim.loadFailed')}</p>${errorBox(report)}</section>`;
  /** @type {Array<[string, string, import('./html.js').HtmlValue]>} */
  const rows = [
    ['responsibility', t('claim.step.responsibility'), stepValue('responsibility', report.responsibility)],
    ['proposal', t('claim.step.proposal'), stepValue('proposal', report.proposal)],
    ['legalReview', t('claim.step.legal_review'), stepValue('legal_review', report.legalReview, !!report.proposal)],
    [
      'ownerAgreement',
      t('claim.step.owner_agreement'),
      stepValue('owner_agreement', report.ownerAgreement, !!report.proposal),
    ],
    ['approval', t('claim.step.approval'), stepValue('approval', report.approval, !!report.proposal)],
    [
      'chargeBacks',
      t('claim.chargeBacks'),
      report.chargeBacks.length > 0
        ? html`<ul class="claim-list">${report.chargeBacks.map((/** @type {any} */ s) => html`<li>${stepValue('charge_back', s)}</li>`)}</ul>`
        : html`<span class="muted">—</span>`,
    ],
  ];
  const open = openStatuses.includes(o.status);
  const steps = o.mayAct && open ? recordable(report, o.role) : [];
  return html`<section class="card case-claim" aria-labelledby="case-claim-h">
    <h2 id="case-claim-h" class="case-h">${t('claim.title')}</h2>
    <dl class="facts claim-facts">${rows.map(([k, name, v]) => html`<dt>${name}</dt><dd data-claim="${k}">${v}</dd>`)}</dl>
    ${
      report.missing.length > 0
        ? html`<p class="notice" data-claim="missing">${t('claim.missing', { list: report.missing.map(missingName).join('、') })}</p>`
        : html`<p class="success" data-claim="missing">${t('claim.ready')}</p>`
    }
    ${
      o.mayAct
        ? open
          ? html`<div class="actions claim-steps" role="group" aria-label="${t('claim.record')}">${steps.map(
              (s) =>
                html`<button type="button" class="secondary" data-claim-step="${s}">${t(`claim.step.${s}`)}</button>`,
            )}</div>${!claimApprovers.includes(o.role) && report.proposal ? html`<p class="hint">${t('claim.onlyLeaders')}</p>` : ''}`
          : html`<p class="hint">${t('claim.closedSteps')}</p>`
        : ''
    }
    ${
      report.history.length > 0
        ? html`<details class="claim-history"><summary>${t('claim.history', { n: report.history.length })}</summary><ol>${report.history.map(
            (/** @type {any} */ s) =>
              html`<li><strong>${t(`claim.step.${s.step}`)}</strong>${t('terms.colon')}${stepValue(s.step, s)}</li>`,
          )}</ol></details>`
        : ''
    }
  </section>`;
}

/** @param {string} name @param {string} label @param {{ required?: boolean, hint?: string, value?: string, type?: string }} [o] */
function input(name, label, o = {}) {
  const hint = o.hint ? html`<p class="hint" id="claim-${name}-hint">${o.hint}</p>` : '';
  const number = o.type === 'number' ? html`inputmode="decimal" step="0.01" min="0"` : '';
  return html`<div class="field"><label for="claim-${name}">${label}${o.required ? '' : html` <span class="opt">${t('case-detail.optional')}</span>`}</label>${hint}
    <input id="claim-${name}" name="${name}" type="${o.type ?? 'text'}" ${number} ${o.required ? html`required` : ''} ${o.hint ? html`aria-describedby="claim-${name}-hint"` : ''} value="${o.value ?? ''}"></div>`;
}

/** @param {string} name @param {string} label @param {boolean} [required] */
function textarea(name, label, required = false) {
  return html`<div class="field"><label for="claim-${name}">${label}${required ? '' : html` <span class="opt">${t('case-detail.optional')}</span>`}</label>
    <textarea id="claim-${name}" name="${name}" rows="3" ${required ? html`required` : ''}></textarea></div>`;
}

/** A yes/no question as two radios (the API wants a boolean). @param {string} name @param {string} legend @param {string} yes @param {string} no */
function yesNo(name, legend, yes, no) {
  return html`<fieldset class="field"><legend>${legend}</legend>
    <label><input type="radio" name="${name}" value="true" required> ${yes}</label>
    <label><input type="radio" name="${name}" value="false"> ${no}</label></fieldset>`;
}

/** The form of one step. @param {string} step @param {any} report */
function fieldsFor(step, report) {
  switch (step) {
    case 'responsibility':
      return html`<fieldset class="field"><legend>${t('claim.party')}</legend>${parties.map(
        (p, i) =>
          html`<label><input type="radio" name="party" value="${p}" ${i === 0 ? html`required` : ''}> ${t(`claim.party.${p}`)}</label>`,
      )}</fieldset>
        ${input('contractor', t('claim.field.contractor'), { hint: t('claim.contractorHint') })}
        ${textarea('note', t('claim.field.note'))}`;
    case 'proposal':
      return html`${report.proposal ? html`<p class="hint">${t('claim.proposalFirst')}</p>` : ''}
        ${input('amount', t('claim.field.amount'), { required: true, type: 'number' })}
        ${textarea('plan', t('claim.field.plan'), true)}`;
    case 'legal_review':
      return html`${input('lawyer', t('claim.field.lawyer'), { required: true })}
        ${textarea('opinion', t('claim.field.opinion'), true)}
        ${yesNo('supportsProposal', t('claim.field.supportsProposal'), t('claim.supports'), t('claim.opposes'))}`;
    case 'owner_agreement':
      return html`${yesNo('agreed', t('claim.field.agreed'), t('claim.agreed'), t('claim.refused'))}
        ${textarea('note', t('claim.field.note'))}`;
    case 'approval':
      return html`<p class="hint">${t('claim.approvalHint', { proposal: report.proposal ? claimStepText('proposal', report.proposal.details) : '—' })}</p>
        ${yesNo('approved', t('claim.field.approved'), t('claim.approved'), t('claim.rejected'))}
        ${textarea('note', t('claim.field.note'))}`;
    case 'charge_back':
      return html`${input('contractor', t('claim.field.contractor'), { required: true, value: report.responsibility?.details.contractor ?? '' })}
        ${input('amount', t('claim.field.chargeAmount'), { required: true, type: 'number' })}
        ${input('noticeNumber', t('claim.field.noticeNumber'))}`;
    default:
      return html``;
  }
}

/** The step's request body: trimmed strings, empty fields left out, amounts as numbers, yes/no as booleans. @param {string} step @param {HTMLFormElement} form */
export function claimBody(step, form) {
  /** @type {Record<string, unknown>} */
  const body = { step };
  for (const [k, v] of new FormData(form)) {
    if (typeof v !== 'string' || v.trim() === '') continue;
    const s = v.trim();
    body[k] = k === 'amount' ? Number(s) : s === 'true' ? true : s === 'false' ? false : s;
  }
  return body;
}

/** Field names of the API, for the summary of a 400. @type {Record<string, string>} */
const fieldLabel = {
  party: 'claim.party',
  contractor: 'claim.field.contractor',
  note: 'claim.field.note',
  amount: 'claim.field.amount',
  plan: 'claim.field.plan',
  lawyer: 'claim.field.lawyer',
  opinion: 'claim.field.opinion',
  supportsProposal: 'claim.field.supportsProposal',
  agreed: 'claim.field.agreed',
  approved: 'claim.field.approved',
  noticeNumber: 'claim.field.noticeNumber',
};

/** A refusal in the dialog: bad fields next to their controls, anything else (409, 403) as the API says it. @param {unknown} err @param {HTMLFormElement} form @param {HTMLElement} box */
function showError(err, form, box) {
  if (err instanceof ApiError && err.fields.length > 0) {
    const fields = err.fields.map((f) => ({ ...f, message: oneLanguage(f.message) }));
    const shown = showFieldErrors(form, fields, (name) => `claim-${name}-error`);
    mount(
      box,
      html`<div class="alert" role="alert"><p>${t('claim.fix')}</p><ul>${shown.map(
        (f) =>
          html`<li><strong>${fieldLabel[f.field] ? t(fieldLabel[f.field] ?? '') : f.field}</strong>: ${f.message}</li>`,
      )}</ul></div>`,
    );
    shown.find((f) => f.control)?.control?.focus();
    return;
  }
  clearFieldErrors(form);
  // A 403 here is the approval rule, not a page the role may not see: the API's own sentence says which.
  mount(
    box,
    err instanceof ApiError && (err.status === 403 || err.status === 409)
      ? html`<div class="alert" role="alert"><p>${oneLanguage(err.message)}</p></div>`
      : errorBox(err),
  );
}

/**
 * Opens the dialog of one claim step; resolves true once the API recorded it, false if cancelled.
 * Focus goes to the first field, Escape cancels, focus returns to `opener`.
 * @param {HTMLDialogElement} dialog
 * @param {{ step: string, caseId: string, number: string, report: any, opener: HTMLElement }} o
 * @returns {Promise<boolean>}
 */
export function runClaimStep(dialog, { step, caseId, number, report, opener }) {
  const title = t(`claim.step.${step}`);
  mount(
    dialog,
    html`<form method="dialog" class="case-dialog-form claim-form" novalidate>
      <h2 id="case-dialog-title">${title} · ${number}</h2>
      <div class="case-dialog-error"></div>
      ${fieldsFor(step, report)}
      <div class="actions"><button type="submit">${t('app.save')}</button>
        <button type="button" class="secondary" data-cancel>${t('app.cancel')}</button></div>
    </form>`,
  );
  dialog.setAttribute('aria-labelledby', 'case-dialog-title');
  const form = /** @type {HTMLFormElement} */ ($('form', dialog));
  const errors = $('.case-dialog-error', dialog);
  const first = /** @type {HTMLElement | null} */ (form.querySelector('input, select, textarea'));

  return dialogSession(dialog, opener, (finish) => {
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      mount(errors, html``);
      if (!form.checkValidity()) {
        form.reportValidity();
        return;
      }
      const buttons = [...dialog.querySelectorAll('button')];
      buttons.forEach((b) => b.setAttribute('disabled', ''));
      api(`cases/${caseId}/claim-steps`, { method: 'POST', body: claimBody(step, form) })
        .then(
          () => finish(true),
          (err) => {
            if (err instanceof ApiError && err.status === 401) return finish(false);
            showError(err, form, errors);
          },
        )
        .finally(() => buttons.forEach((b) => b.removeAttribute('disabled')));
    });
    dialog.showModal();
    first?.focus();
  });
}
