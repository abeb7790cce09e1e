// @ts-check
import { api, apiObjectUrl } from '../lib/api.js';
import { dateTime, percent } from '../lib/format.js';
import { html, mount } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { errorBox, flash } from '../lib/ui.js';

/**
 * @typedef {{ id: string, kind: 'weekly' | 'monthly' | 'quarterly' | 'yearly', periodKey: string, title: string,
 *   periodStart: string, periodEnd: string, final: boolean, trigger: string, generatedAt: string, xlsxSize: number,
 *   pdfSize: number, mailed: number, mailFailed: number, written?: boolean }} FiledReport
 */

const isHere = () => location.hash.startsWith('#/reports');
const kb = (/** @type {number} */ n) => `${Math.max(1, Math.round(n / 1024))} KB`;
/** The period's last day (the API gives the end exclusive). @param {string} day */
const dayBefore = (day) => new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

/**
 * Downloads a protected document: fetched with the session's token, then saved under its Chinese file name.
 * @param {FiledReport} r @param {'xlsx' | 'pdf'} format
 */
async function download(r, format) {
  const url = await apiObjectUrl(`reports/filed/${r.id}/${format}`);
  const a = document.createElement('a');
  a.href = url;
  a.download = `${r.title.split(' ')[0]}-${r.periodKey}.${format}`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** @param {FiledReport} r */
const row = (r) => html`<tr data-report="${r.kind}:${r.periodKey}">
  <td>${t(`reports.kind.${r.kind}`)}</td>
  <th scope="row">${r.title}</th>
  <td>${r.periodStart} — ${dayBefore(r.periodEnd)}</td>
  <td>${r.final ? t('reports.final') : html`<span class="muted">${t('reports.provisional')}</span>`}</td>
  <td>${dateTime(r.generatedAt)}</td>
  <td class="num">${r.mailed}${r.mailFailed ? html` <span class="due due-overdue">${t('reports.mailFailed', { n: r.mailFailed })}</span>` : ''}</td>
  <td class="actions">
    <button type="button" class="secondary" data-download="xlsx" data-id="${r.id}">Excel (${kb(r.xlsxSize)})</button>
    <button type="button" class="secondary" data-download="pdf" data-id="${r.id}">PDF (${kb(r.pdfSize)})</button>
  </td>
</tr>`;

/** @type {import('../lib/types').Page} */
export default {
  path: '/reports',
  nav: 'nav.reports',
  roles: ['dept_manager', 'vice_gm', 'gm'],
  messages: {
    zh: {
      'nav.reports': '报告',
      'reports.heading': '周报、月报、季度与年度报告',
      'reports.intro':
        '每个报告期结束后的第一个工作日自动生成（节假日顺延），以 Excel 和 PDF 附件发送给分发名单，保存 2 年。',
      'reports.generate': '立即生成本月月报',
      'reports.generated': '已生成：{title}（本月尚未结束，为临时版本，月末后由系统正式生成）',
      'reports.kept': '{title} 已正式生成，保持原样',
      'reports.kind': '类型',
      'reports.title': '报告',
      'reports.period': '报告期',
      'reports.state': '状态',
      'reports.generatedAt': '生成时间',
      'reports.mailed': '已发送',
      'reports.documents': '下载',
      'reports.final': '正式',
      'reports.provisional': '临时（报告期未结束）',
      'reports.mailFailed': '{n} 封失败',
      'reports.none': '还没有报告。',
      'reports.kind.weekly': '周报',
      'reports.kind.monthly': '月报',
      'reports.kind.quarterly': '季度',
      'reports.kind.yearly': '年度',
      'reports.latest': '最新月报：有效投诉 {valid}，结案率 {closure}，按时答复率 {onTime}',
    },
    en: {
      'nav.reports': 'Reports',
      'reports.heading': 'Weekly, monthly, quarterly and yearly reports',
      'reports.intro':
        'Generated on the first working day after each period (holidays counted), mailed as Excel and PDF to the distribution list, kept 2 years.',
      'reports.generate': "Generate this month's report now",
      'reports.generated': 'Generated: {title} (the month is not over: provisional until the system files it)',
      'reports.kept': '{title} is already filed and stays as filed',
      'reports.kind': 'Kind',
      'reports.title': 'Report',
      'reports.period': 'Period',
      'reports.state': 'State',
      'reports.generatedAt': 'Generated',
      'reports.mailed': 'Mailed',
      'reports.documents': 'Download',
      'reports.final': 'Filed',
      'reports.provisional': 'Provisional (period running)',
      'reports.mailFailed': '{n} failed',
      'reports.none': 'No reports yet.',
      'reports.kind.weekly': 'Weekly',
      'reports.kind.monthly': 'Monthly',
      'reports.kind.quarterly': 'Quarterly',
      'reports.kind.yearly': 'Yearly',
      'reports.latest': 'Latest month: {valid} valid complaints, closure {closure}, on-time replies {onTime}',
    },
  },

  async render(main, ctx) {
    ctx.setTitle(t('nav.reports'));
    /** @type {FiledReport[]} */ let list;
    try {
      list = await api('reports/filed');
    } catch (err) {
      if (isHere()) mount(main, html`<h1>${t('nav.reports')}</h1>${errorBox(err)}`);
      return;
    }
    if (!isHere()) return;
    const latest = list.find((r) => r.kind === 'monthly');
    /** @type {any} */ const figures = latest ? (await api(`reports/filed/${latest.id}`)).figures : null;
    mount(
      main,
      html`<h1>${t('reports.heading')}</h1>
      <p class="muted">${t('reports.intro')}</p>
      <div class="actions"><button type="button" id="reports-generate">${t('reports.generate')}</button></div>
      <div id="reports-error"></div>
      ${figures && html`<p data-latest>${t('reports.latest', { valid: figures.totals.validComplaints, closure: percent(figures.totals.closureRate), onTime: percent(figures.totals.onTimeReplyRate) })}</p>`}
      ${
        list.length
          ? html`<table class="card" id="reports-list">
            <thead><tr><th scope="col">${t('reports.kind')}</th><th scope="col">${t('reports.title')}</th>
              <th scope="col">${t('reports.period')}</th><th scope="col">${t('reports.state')}</th>
              <th scope="col">${t('reports.generatedAt')}</th><th scope="col" class="num">${t('reports.mailed')}</th>
              <th scope="col">${t('reports.documents')}</th></tr></thead>
            <tbody>${list.map(row)}</tbody>
          </table>`
          : html`<p>${t('reports.none')}</p>`
      }`,
    );
    const button = /** @type {HTMLButtonElement} */ (main.querySelector('#reports-generate'));
    const problem = /** @param {unknown} err */ (err) =>
      mount(/** @type {HTMLElement} */ (main.querySelector('#reports-error')), errorBox(err));
    const generate = async () => {
      button.disabled = true;
      try {
        /** @type {FiledReport} */ const r = await api('reports/filed', { method: 'POST', body: { kind: 'monthly' } });
        flash(t(r.written ? 'reports.generated' : 'reports.kept', { title: r.title }));
        await this.render(main, ctx);
      } catch (err) {
        button.disabled = false;
        problem(err);
      }
    };
    button.addEventListener('click', () => void generate());
    for (const b of main.querySelectorAll('[data-download]'))
      b.addEventListener('click', () => {
        const el = /** @type {HTMLElement} */ (b);
        const r = list.find((x) => x.id === el.dataset.id);
        if (r) download(r, /** @type {'xlsx' | 'pdf'} */ (el.dataset.download)).catch(problem);
      });
  },
};
