// @ts-check
import { api, apiObjectUrl } from '../lib/api.js';
import { $, on } from '../lib/dom.js';
import { dateTime } from '../lib/format.js';
import { html, mount } from '../lib/html.js';
import { label, t } from '../lib/i18n.js';
import { intakeReason, intakeReasonView, outcomeName, rawKey, sourceName } from '../lib/terms.js';
import { errorBox, flash, pager } from '../lib/ui.js';

/** Who sent a mail, as the parser stored it (`{ name, address }` or a list of them). @param {unknown} from */
function sender(from) {
  const one = Array.isArray(from) ? from[0] : from;
  if (!one || typeof one !== 'object') return '';
  const f = /** @type {{ name?: string, address?: string }} */ (one);
  return [f.name, f.address && `<${f.address}>`].filter(Boolean).join(' ');
}

/** Only mail keeps the message as received, so only mail can be downloaded and processed again. @param {any} r */
const hasStoredMessage = (r) => r.channel === 'email';

/** @param {any} r */
function row(r) {
  return html`<tr data-record="${r.id}">
    <td>${dateTime(r.receivedAt)}</td>
    <td>${label('channel', r.channel)}<div class="muted" title="${r.source}">${sourceName(r.source)}</div></td>
    <td>${r.subject ?? '—'}<div class="muted">${sender(r.from)}</div></td>
    <td>${intakeReasonView(r.outcomeReason)}</td>
    <td class="num">${r.attempts}</td>
    <td>${
      hasStoredMessage(r)
        ? html`<div class="actions">
          <button type="button" class="secondary" data-raw="${r.id}" aria-label="${t('quarantine.rawFor', { subject: r.subject ?? r.id })}">${t('quarantine.raw')}</button>
          <button type="button" data-reprocess="${r.id}" aria-label="${t('quarantine.reprocessFor', { subject: r.subject ?? r.id })}">${t('quarantine.reprocess')}</button>
        </div>`
        : html`<span class="muted">${t('quarantine.noMessage')}</span>`
    }
      <div class="q-outcome" role="status" data-outcome="${r.id}"></div></td>
  </tr>`;
}

/** @type {import('../lib/types').Page} */
export default {
  path: '/quarantine',
  nav: 'nav.quarantine',
  roles: ['cs_rep', 'dept_manager', 'vice_gm', 'gm'],
  messages: {
    zh: {
      'nav.quarantine': '隔离区',
      'quarantine.intro': '无法自动处理的来件（如格式错误、无法识别的字符集）。可下载原件查看，修复后重新处理。',
      'quarantine.received': '接收时间',
      'quarantine.channel': '渠道 / 来源',
      'quarantine.subject': '主题 / 发件人',
      'quarantine.reason': '隔离原因',
      'quarantine.attempts': '处理次数',
      'quarantine.actions': '操作',
      'quarantine.raw': '下载原件',
      'quarantine.rawFor': '下载原件：{subject}',
      'quarantine.reprocess': '重新处理',
      'quarantine.reprocessFor': '重新处理：{subject}',
      'quarantine.noMessage': '未保存原件，无法重新处理',
      'quarantine.caseCreated': '已登记为案件',
      'quarantine.addedToCase': '已并入案件',
      'quarantine.still': '仍被隔离：{reason}',
      'quarantine.other': '处理结果：{outcome}',
      'quarantine.empty': '隔离区是空的。',
      'quarantine.working': '处理中…',
    },
    en: {
      'nav.quarantine': 'Quarantine',
      'quarantine.intro':
        'Inbound items that could not be processed automatically (malformed, unknown charset…). Download the message as received; re-process it after a fix.',
      'quarantine.received': 'Received',
      'quarantine.channel': 'Channel / source',
      'quarantine.subject': 'Subject / sender',
      'quarantine.reason': 'Why quarantined',
      'quarantine.attempts': 'Attempts',
      'quarantine.actions': 'Actions',
      'quarantine.raw': 'Download raw',
      'quarantine.rawFor': 'Download raw: {subject}',
      'quarantine.reprocess': 'Re-process',
      'quarantine.reprocessFor': 'Re-process: {subject}',
      'quarantine.noMessage': 'No stored message; cannot be re-processed',
      'quarantine.caseCreated': 'Became case',
      'quarantine.addedToCase': 'Added to case',
      'quarantine.still': 'Still quarantined: {reason}',
      'quarantine.other': 'Outcome: {outcome}',
      'quarantine.empty': 'The quarantine is empty.',
      'quarantine.working': 'Working…',
    },
  },
  async render(main, ctx) {
    ctx.setTitle(t('nav.quarantine'));
    const page = Math.max(1, Number(ctx.query.get('page')) || 1);
    const list = await api('intake-records', { query: { outcome: 'quarantined', page, pageSize: 20 } });
    mount(
      main,
      html`<div class="q-page"><h1>${t('nav.quarantine')}</h1>
        <p class="muted">${t('quarantine.intro')}</p>
        ${
          list.items.length === 0
            ? html`<p class="notice">${t('quarantine.empty')}</p>`
            : html`<table>
              <thead><tr><th scope="col">${t('quarantine.received')}</th><th scope="col">${t('quarantine.channel')}</th><th scope="col">${t('quarantine.subject')}</th>
                <th scope="col">${t('quarantine.reason')}</th><th scope="col" class="num">${t('quarantine.attempts')}</th><th scope="col">${t('quarantine.actions')}</th></tr></thead>
              <tbody>${list.items.map(row)}</tbody></table>
              ${pager(list, (p) => `#/quarantine?page=${p}`)}`
        }</div>`,
    );
    const root = $('.q-page', main);

    on(root, 'click', '[data-raw]', (button) => {
      const id = button.dataset.raw ?? '';
      void apiObjectUrl(`/api/v1/intake-records/${id}/raw`).then(
        (url) => {
          const a = document.createElement('a');
          a.href = url;
          a.download = `${id}.eml`;
          document.body.append(a);
          a.click();
          a.remove();
          setTimeout(() => URL.revokeObjectURL(url), 60_000);
        },
        (err) => flash(err instanceof Error ? err.message : String(err)),
      );
    });

    on(root, 'click', '[data-reprocess]', (button) => {
      const id = button.dataset.reprocess ?? '';
      const out = $(`[data-outcome="${CSS.escape(id)}"]`, root);
      button.setAttribute('disabled', '');
      mount(out, html`<span class="muted">${t('quarantine.working')}</span>`);
      api(`intake-records/${id}/reprocess`, { method: 'POST' })
        .then((/** @type {any} */ answer) => {
          const r = answer.result;
          if ((r.outcome === 'case_created' || r.outcome === 'added_to_case') && r.caseId) {
            mount(
              out,
              html`<p class="success">${t(r.outcome === 'case_created' ? 'quarantine.caseCreated' : 'quarantine.addedToCase')} <a href="#/cases/${r.caseId}">${r.caseNumber ?? r.caseId}</a></p>`,
            );
          } else if (r.outcome === 'quarantined') {
            mount(
              out,
              html`<p class="alert">${t('quarantine.still', { reason: intakeReason(r.reason) ?? r.reason ?? '—' })} ${intakeReason(r.reason) ? rawKey(r.reason, 'terms.original') : ''}</p>`,
            );
            const attempts = button.closest('tr')?.querySelector('td.num');
            if (attempts) attempts.textContent = String(answer.record?.attempts ?? '');
            button.removeAttribute('disabled');
          } else {
            mount(
              out,
              html`<p class="notice">${t('quarantine.other', { outcome: outcomeName(r.outcome) })}${r.reason ? html` (${intakeReasonView(r.reason)})` : ''}</p>`,
            );
          }
        })
        .catch((err) => {
          mount(out, errorBox(err));
          button.removeAttribute('disabled');
        });
    });
  },
};
