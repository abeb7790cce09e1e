// @ts-check
import { api, apiObjectUrl } from '../lib/api.js';
import { $ } from '../lib/dom.js';
import { showSaveError } from '../lib/field-errors.js';
import { dateTime } from '../lib/format.js';
import { html, mount } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { errorBox, flash } from '../lib/ui.js';

/**
 * An estate-wide notice (`/api/v1/notices`).
 * @typedef {object} Notice
 * @property {string} id
 * @property {string} reference
 * @property {string} estateName
 * @property {string} kind
 * @property {string} kindName
 * @property {string} title
 * @property {string} body
 * @property {'draft' | 'sending' | 'paused' | 'cancelled' | 'done'} status
 * @property {number} recipients
 * @property {number} excluded
 * @property {string | null} createdBy
 * @property {string} createdAt
 * @property {string | null} sentAt
 * @property {string | null} finishedAt
 * @property {{ queued: number, sending: number, sent: number, delivered: number, failed: number, cancelled: number, messages: number }} progress
 * @property {Record<string, number>} exclusions
 */
/**
 * @typedef {object} Recipient
 * @property {number} seq
 * @property {string} ownerName
 * @property {string} unitLabel
 * @property {string | null} mobile
 * @property {string | null} excluded
 * @property {string | null} status
 */

const KINDS = ['safety_alert', 'handover', 'construction_progress', 'holiday_greeting', 'official'];
const STAGES = ['prospective', 'settling', 'stable', 'established'];
/** How often a sending notice's progress is asked for. */
const POLL_MS = 1500;

/** @param {string} s */
const statusBadge = (s) => html`<span class="badge notice-${s}">${t(`notices.status.${s}`)}</span>`;

/** @type {import('../lib/types').Page} */
const list = {
  path: '/notices',
  nav: 'nav.notices',
  roles: ['cs_rep', 'dept_manager', 'vice_gm', 'gm'],
  messages: {
    zh: {
      'nav.notices': '通知公告',
      'notices.new': '新建通知',
      'notices.estate': '楼盘',
      'notices.kind': '类型',
      'notices.title': '标题',
      'notices.body': '内容',
      'notices.stages': '只发给这些阶段的业主（不选 = 全部）',
      'notices.create': '创建草稿并预览收件人',
      'notices.fix': '请修改以下内容：',
      'notices.list': '已有通知',
      'notices.none': '还没有通知。',
      'notices.col.created': '创建',
      'notices.col.recipients': '收件人',
      'notices.col.status': '状态',
      'notices.col.progress': '已送达 / 失败',
      'notices.kind.safety_alert': '台风/暴雨预警（紧急，短信优先，夜间也发）',
      'notices.kind.handover': '交付通知书（EMS 信件）',
      'notices.kind.construction_progress': '楼盘进度通报',
      'notices.kind.holiday_greeting': '节日问候（尊重退订，夜间顺延至早上）',
      'notices.kind.official': '正式通知',
      'notices.stage.prospective': '准业主',
      'notices.stage.settling': '磨合期',
      'notices.stage.stable': '稳定期',
      'notices.stage.established': '老业主',
      'notices.status.draft': '草稿',
      'notices.status.sending': '发送中',
      'notices.status.paused': '已暂停',
      'notices.status.cancelled': '已取消',
      'notices.status.done': '已完成',
    },
    en: {
      'nav.notices': 'Notices',
      'notices.new': 'New notice',
      'notices.estate': 'Estate',
      'notices.kind': 'Kind',
      'notices.title': 'Title',
      'notices.body': 'Text',
      'notices.stages': 'Only owners in these life stages (none = everyone)',
      'notices.create': 'Create draft and preview recipients',
      'notices.fix': 'Please correct:',
      'notices.list': 'Notices',
      'notices.none': 'No notices yet.',
      'notices.col.created': 'Created',
      'notices.col.recipients': 'Recipients',
      'notices.col.status': 'Status',
      'notices.col.progress': 'Delivered / failed',
      'notices.kind.safety_alert': 'Typhoon / rainstorm alert (urgent, SMS first, also at night)',
      'notices.kind.handover': 'Handover notice (EMS letter)',
      'notices.kind.construction_progress': 'Construction progress',
      'notices.kind.holiday_greeting': 'Holiday greeting (respects opt-outs, waits for the morning)',
      'notices.kind.official': 'Official notice',
      'notices.stage.prospective': 'Not moved in',
      'notices.stage.settling': 'First year',
      'notices.stage.stable': '1–2 years',
      'notices.stage.established': 'Over 2 years',
      'notices.status.draft': 'Draft',
      'notices.status.sending': 'Sending',
      'notices.status.paused': 'Paused',
      'notices.status.cancelled': 'Cancelled',
      'notices.status.done': 'Done',
    },
  },
  async render(main, ctx) {
    ctx.setTitle(t('nav.notices'));
    const [estates, notices] = await Promise.all([
      /** @type {Promise<Array<{ id: string, name: string }>>} */ (api('web-complaints/estates')),
      /** @type {Promise<Notice[]>} */ (api('notices')),
    ]);
    mount(
      main,
      html`<div class="sched-page" id="notices-page">
      <h1>${t('nav.notices')}</h1>
      <section aria-labelledby="n-new-h"><h2 id="n-new-h">${t('notices.new')}</h2>
      <form id="notice-form" novalidate>
        <div class="field"><label for="n-estate">${t('notices.estate')}</label>
          <select id="n-estate" name="projectId">${estates.map((e) => html`<option value="${e.id}">${e.name}</option>`)}</select></div>
        <div class="field"><label for="n-kind">${t('notices.kind')}</label>
          <select id="n-kind" name="kind">${KINDS.map((k) => html`<option value="${k}">${t(`notices.kind.${k}`)}</option>`)}</select></div>
        <div class="field"><label for="n-title">${t('notices.title')}</label><input id="n-title" name="title" maxlength="100" required></div>
        <div class="field"><label for="n-body">${t('notices.body')}</label><textarea id="n-body" name="body" rows="4" maxlength="2000" required></textarea></div>
        <fieldset class="field"><legend>${t('notices.stages')}</legend>
          ${STAGES.map((s) => html`<label class="inline"><input type="checkbox" name="lifeStages" value="${s}"> ${t(`notices.stage.${s}`)}</label>`)}
        </fieldset>
        <div id="notice-form-error" tabindex="-1"></div>
        <button type="submit">${t('notices.create')}</button>
      </form></section>
      <section aria-labelledby="n-list-h"><h2 id="n-list-h">${t('notices.list')}</h2>
      ${
        notices.length === 0
          ? html`<p class="notice">${t('notices.none')}</p>`
          : html`<table id="notices-table"><thead><tr><th scope="col">${t('notices.title')}</th><th scope="col">${t('notices.kind')}</th>
            <th scope="col">${t('notices.estate')}</th><th scope="col">${t('notices.col.created')}</th><th scope="col" class="num">${t('notices.col.recipients')}</th>
            <th scope="col">${t('notices.col.status')}</th><th scope="col" class="num">${t('notices.col.progress')}</th></tr></thead><tbody>
            ${notices.map(
              (
                n,
              ) => html`<tr><td><a href="#/notices/${n.id}">${n.title}</a></td><td>${n.kindName}</td><td>${n.estateName}</td>
              <td>${dateTime(n.createdAt)}</td><td class="num">${n.recipients}</td><td>${statusBadge(n.status)}</td>
              <td class="num">${n.progress.delivered} / ${n.progress.failed}</td></tr>`,
            )}</tbody></table>`
      }</section></div>`,
    );
    const form = /** @type {HTMLFormElement} */ ($('#notice-form', main));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const data = new FormData(form);
      /** @param {string} k */
      const text = (k) => {
        const v = data.get(k);
        return typeof v === 'string' ? v : '';
      };
      const stages = data.getAll('lifeStages').filter((v) => typeof v === 'string');
      const body = {
        projectId: text('projectId'),
        kind: text('kind'),
        title: text('title'),
        body: text('body'),
        audience: stages.length ? { lifeStages: stages } : {},
      };
      void (async () => {
        try {
          const n = /** @type {Notice} */ (await api('notices', { method: 'POST', body }));
          ctx.navigate(`/notices/${n.id}`);
        } catch (err) {
          showSaveError(form, $('#notice-form-error', main), err, { prefix: 'n', fix: t('notices.fix') });
        }
      })();
    });
  },
};

/** @type {import('../lib/types').Page} */
const detail = {
  path: '/notices/:id',
  messages: {
    zh: {
      'notice.reference': '编号 {ref}',
      'notice.audience': '收件人 {n} 位，未发送 {x} 位',
      'notice.exclusion.erased': '已删除个人信息',
      'notice.exclusion.no_contact': '无联系方式',
      'notice.exclusion.opted_out': '已退订',
      'notice.progress': '发送进度',
      'notice.p.queued': '排队中',
      'notice.p.sending': '发送中',
      'notice.p.sent': '已发出',
      'notice.p.delivered': '已送达',
      'notice.p.failed': '失败',
      'notice.p.cancelled': '已撤回',
      'notice.send': '发送',
      'notice.sendConfirm': '确定向 {n} 位业主发送「{title}」吗？',
      'notice.pause': '暂停',
      'notice.resume': '继续发送',
      'notice.cancel': '取消发送',
      'notice.cancelConfirm': '确定取消吗？尚未发出的消息将撤回。',
      'notice.signOff': '下载签收记录（CSV）',
      'notice.pdf': '打印公告（A4 PDF）',
      'notice.preview': '收件人预览',
      'notice.excludedList': '未发送的业主及原因',
      'notice.owner': '业主',
      'notice.unit': '房号',
      'notice.mobile': '手机',
      'notice.state': '状态',
      'notice.reason': '原因',
      'notice.more': '共 {n} 位，仅显示前 {shown} 位',
      'notice.sent': '已开始发送。',
      'notice.confirm': '确认',
      'notice.back': '返回',
    },
    en: {
      'notice.reference': 'Reference {ref}',
      'notice.audience': '{n} recipients, {x} left out',
      'notice.exclusion.erased': 'personal data erased',
      'notice.exclusion.no_contact': 'no contact details',
      'notice.exclusion.opted_out': 'opted out',
      'notice.progress': 'Progress',
      'notice.p.queued': 'Queued',
      'notice.p.sending': 'Sending',
      'notice.p.sent': 'Sent',
      'notice.p.delivered': 'Delivered',
      'notice.p.failed': 'Failed',
      'notice.p.cancelled': 'Withdrawn',
      'notice.send': 'Send',
      'notice.sendConfirm': 'Send “{title}” to {n} owners?',
      'notice.pause': 'Pause',
      'notice.resume': 'Resume',
      'notice.cancel': 'Cancel sending',
      'notice.cancelConfirm': 'Cancel? Messages not yet sent are withdrawn.',
      'notice.signOff': 'Download the sign-off record (CSV)',
      'notice.pdf': 'Print the notice (A4 PDF)',
      'notice.preview': 'Recipients',
      'notice.excludedList': 'Left out, and why',
      'notice.owner': 'Owner',
      'notice.unit': 'Unit',
      'notice.mobile': 'Mobile',
      'notice.state': 'Status',
      'notice.reason': 'Reason',
      'notice.more': '{n} in all; the first {shown} shown',
      'notice.sent': 'Sending has started.',
      'notice.confirm': 'Confirm',
      'notice.back': 'Back',
    },
  },
  async render(main, ctx) {
    const id = ctx.params.id ?? '';
    const [notice, included, excluded] = await Promise.all([
      /** @type {Promise<Notice>} */ (api(`notices/${id}`)),
      /** @type {Promise<{ total: number, items: Recipient[] }>} */ (
        api(`notices/${id}/recipients`, { query: { excluded: 'false', limit: 50 } })
      ),
      /** @type {Promise<{ total: number, items: Recipient[] }>} */ (
        api(`notices/${id}/recipients`, { query: { excluded: 'true', limit: 50 } })
      ),
    ]);
    ctx.setTitle(notice.title);
    const progress = (/** @type {Notice} */ n) =>
      html`<dl class="facts" id="notice-progress" aria-live="polite">
        <div><dt>${t('notices.col.status')}</dt><dd id="notice-status">${statusBadge(n.status)}</dd></div>
        ${['queued', 'sending', 'sent', 'delivered', 'failed', 'cancelled'].map(
          (k) =>
            html`<div><dt>${t(`notice.p.${k}`)}</dt><dd id="notice-${k}">${/** @type {Record<string, number>} */ (n.progress)[k] ?? 0}</dd></div>`,
        )}</dl>`;
    /** The action waiting for its confirmation (send, cancel), shown in place of the buttons. @type {null | { action: string, text: string }} */
    let confirming = null;
    const actions = (/** @type {Notice} */ n) =>
      confirming
        ? html`<div class="alert" role="alertdialog" aria-labelledby="notice-confirm-text" id="notice-confirm">
            <p id="notice-confirm-text">${confirming.text}</p>
            <p class="actions"><button type="button" id="notice-confirm-yes">${t('notice.confirm')}</button>
            <button type="button" class="secondary" id="notice-confirm-no">${t('notice.back')}</button></p></div>`
        : html`<p class="actions" id="notice-actions">
      ${n.status === 'draft' ? html`<button type="button" id="notice-send" ${n.recipients === 0 ? html`disabled` : ''}>${t('notice.send')}</button>` : ''}
      ${n.status === 'sending' ? html`<button type="button" class="secondary" id="notice-pause">${t('notice.pause')}</button>` : ''}
      ${n.status === 'paused' ? html`<button type="button" id="notice-resume">${t('notice.resume')}</button>` : ''}
      ${['draft', 'sending', 'paused'].includes(n.status) ? html`<button type="button" class="danger" id="notice-cancel">${t('notice.cancel')}</button>` : ''}
      <button type="button" class="secondary" id="notice-signoff">${t('notice.signOff')}</button>
      <button type="button" class="secondary" id="notice-pdf">${t('notice.pdf')}</button></p>`;
    const rows = (/** @type {{ total: number, items: Recipient[] }} */ r, /** @type {boolean} */ why) =>
      html`<table><thead><tr><th scope="col">${t('notice.unit')}</th><th scope="col">${t('notice.owner')}</th><th scope="col">${t('notice.mobile')}</th>
        <th scope="col">${why ? t('notice.reason') : t('notice.state')}</th></tr></thead><tbody>${r.items.map(
          (x) => html`<tr><td>${x.unitLabel}</td><td>${x.ownerName}</td><td>${x.mobile ?? '—'}</td>
            <td>${why ? t(`notice.exclusion.${x.excluded}`) : (x.status ?? '—')}</td></tr>`,
        )}</tbody></table>${r.total > r.items.length ? html`<p class="muted">${t('notice.more', { n: r.total, shown: r.items.length })}</p>` : ''}`;
    mount(
      main,
      html`<div class="sched-page" id="notice-page">
      <p><a href="#/notices">← ${t('nav.notices')}</a></p>
      <h1>${notice.title}</h1>
      <p>${notice.estateName} · ${notice.kindName} · ${t('notice.reference', { ref: notice.reference })}</p>
      <blockquote id="notice-body">${notice.body}</blockquote>
      <p id="notice-audience">${t('notice.audience', { n: notice.recipients, x: notice.excluded })}
        ${Object.entries(notice.exclusions).map(([k, v]) => html` · ${t(`notice.exclusion.${k}`)} ${v}`)}</p>
      <h2>${t('notice.progress')}</h2>
      <div id="notice-live">${progress(notice)}${actions(notice)}</div>
      <div id="notice-error" tabindex="-1"></div>
      <h2>${t('notice.preview')}</h2>${rows(included, false)}
      ${excluded.total ? html`<h2>${t('notice.excludedList')}</h2><div id="notice-excluded">${rows(excluded, true)}</div>` : ''}
      </div>`,
    );
    const errorBoxEl = $('#notice-error', main);
    let current = notice;
    /** @param {string} action @param {string} [confirmText] */
    const act = async (action, confirmText) => {
      if (confirmText) {
        confirming = { action, text: confirmText };
        show(current);
        $('#notice-confirm-yes', main).focus();
        return;
      }
      confirming = null;
      try {
        const n = /** @type {Notice} */ (await api(`notices/${id}/${action}`, { method: 'POST', body: {} }));
        if (action === 'send') flash(t('notice.sent'));
        show(n);
      } catch (err) {
        mount(errorBoxEl, errorBox(err));
        errorBoxEl.focus();
      }
    };
    /** @param {string} path @param {string} name */
    const download = async (path, name) => {
      try {
        const url = await apiObjectUrl(path);
        const a = document.createElement('a');
        a.href = url;
        a.download = name;
        a.target = '_blank';
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 60_000);
      } catch (err) {
        mount(errorBoxEl, errorBox(err));
      }
    };
    /** @param {Notice} n */
    const show = (n) => {
      current = n;
      mount($('#notice-live', main), html`${progress(n)}${actions(n)}`);
      const c = confirming;
      if (c) {
        $('#notice-confirm-yes', main).addEventListener('click', () => void act(c.action));
        $('#notice-confirm-no', main).addEventListener('click', () => {
          confirming = null;
          show(n);
        });
        return;
      }
      main
        .querySelector('#notice-send')
        ?.addEventListener(
          'click',
          () => void act('send', t('notice.sendConfirm', { n: n.recipients, title: n.title })),
        );
      main.querySelector('#notice-pause')?.addEventListener('click', () => void act('pause'));
      main.querySelector('#notice-resume')?.addEventListener('click', () => void act('resume'));
      main
        .querySelector('#notice-cancel')
        ?.addEventListener('click', () => void act('cancel', t('notice.cancelConfirm')));
      $('#notice-signoff', main).addEventListener(
        'click',
        () => void download(`notices/${id}/sign-off.csv`, `${n.reference}.csv`),
      );
      $('#notice-pdf', main).addEventListener('click', () => void download(`notices/${id}/pdf`, `${n.reference}.pdf`));
      if (n.status === 'sending') setTimeout(() => void poll(), POLL_MS);
    };
    const poll = async () => {
      if (!main.isConnected || confirming) return;
      try {
        show(/** @type {Notice} */ (await api(`notices/${id}`)));
      } catch (err) {
        mount(errorBoxEl, errorBox(err));
      }
    };
    show(notice);
  },
};

export default list;
export { detail as noticeDetail };
