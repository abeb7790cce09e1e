// @ts-check
import { api, apiObjectUrl } from '../lib/api.js';
import { $ } from '../lib/dom.js';
import { date, dateTime } from '../lib/format.js';
import { html, mount } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { errorBox, flash } from '../lib/ui.js';

/**
 * Figures as the survey API gives them (`GET /api/v1/surveys/rounds`, `/figures`): shares in percent, one decimal.
 * @typedef {{ invited: number, respondents: number, responseRate: number | null, responseTarget: number,
 *   targetMet: boolean, satisfied: number, loyal: number, satisfaction: number | null, loyalty: number | null }} Counts
 * @typedef {Counts & { id: string, month: string, projectName: string, reminded: number, closesAt: string,
 *   open: boolean, publishBy: string }} Round
 * @typedef {Counts & { key: string, label: string }} FigureRow
 * @typedef {{ id: string, answeredAt: string, via: string, ownerName: string, projectName: string, unitLabel: string,
 *   lifeStageName: string, roundMonth: string, overall: number, buyAgain: number, recommend: number,
 *   texts: Record<string, string>, caseId: string | null, caseNumber: string | null }} Answer
 */

const BY = ['estate', 'life_stage', 'month'];
/** Shares already in percent: 66.7 → "66.7%". @param {number | null} v */
const pct = (v) => (v === null ? '—' : `${v.toFixed(1)}%`);
/** A low score: 3 (一般) or less on overall satisfaction. */
const LOW = 3;

/** @type {import('../lib/types').Page} */
export default {
  path: '/surveys',
  nav: 'nav.surveys',
  roles: ['cs_rep', 'dept_manager', 'vice_gm', 'gm'],
  messages: {
    zh: {
      'nav.surveys': '满意度调查',
      'surveys.rounds': '调查轮次',
      'surveys.estate': '楼盘',
      'surveys.month': '月份',
      'surveys.invited': '邀请',
      'surveys.answered': '回收',
      'surveys.responseRate': '回收率',
      'surveys.target': '目标 ≥ {n}%',
      'surveys.met': '达标',
      'surveys.notMet': '未达标',
      'surveys.satisfaction': '满意度',
      'surveys.loyalty': '忠诚度',
      'surveys.reminded': '已提醒',
      'surveys.closes': '截止',
      'surveys.publishBy': '报告应于 {date} 前公布',
      'surveys.noRounds': '还没有调查轮次：每日任务会在业主入住 3 个月、1 年等节点自动发出邀请。',
      'surveys.figures': '满意度与忠诚度',
      'surveys.by': '分组',
      'surveys.by.estate': '按楼盘',
      'surveys.by.life_stage': '按业主阶段',
      'surveys.by.month': '按月份',
      'surveys.show': '查看',
      'surveys.total': '合计',
      'surveys.csv': '下载 CSV',
      'surveys.csvReady': '已下载满意度统计 CSV。',
      'surveys.definition':
        '满意度 = 总体评价给 4 分或 5 分的业主比例；忠诚度 = 总体评价、再次购买、推荐亲友三项都给 4 分及以上的业主比例（5 分制）。',
      'surveys.answers': '业主回答',
      'surveys.lowOnly': '只看低分（总体 ≤ 3 分）',
      'surveys.owner': '业主',
      'surveys.unit': '房号',
      'surveys.stage': '阶段',
      'surveys.scores': '总体 / 再购 / 推荐',
      'surveys.comments': '意见',
      'surveys.case': '案件',
      'surveys.openCase': '开案件',
      'surveys.caseOpened': '已开案件 {number}。',
      'surveys.noAnswers': '还没有回答。',
      'surveys.paper': '纸质',
      'surveys.runScan': '立即发出今日邀请',
      'surveys.scanned': '今日调查任务已运行：新邀请 {invitations} 份，提醒 {reminders} 份。',
    },
    en: {
      'nav.surveys': 'Satisfaction surveys',
      'surveys.rounds': 'Survey rounds',
      'surveys.estate': 'Estate',
      'surveys.month': 'Month',
      'surveys.invited': 'Invited',
      'surveys.answered': 'Answered',
      'surveys.responseRate': 'Response rate',
      'surveys.target': 'target ≥ {n}%',
      'surveys.met': 'met',
      'surveys.notMet': 'not met',
      'surveys.satisfaction': 'Satisfaction',
      'surveys.loyalty': 'Loyalty',
      'surveys.reminded': 'Reminded',
      'surveys.closes': 'Closes',
      'surveys.publishBy': 'report due by {date}',
      'surveys.noRounds': 'No survey rounds yet: the daily task invites owners 3 months, 1 year … after they move in.',
      'surveys.figures': 'Satisfaction and loyalty',
      'surveys.by': 'Group by',
      'surveys.by.estate': 'Estate',
      'surveys.by.life_stage': 'Life stage',
      'surveys.by.month': 'Month',
      'surveys.show': 'Show',
      'surveys.total': 'Total',
      'surveys.csv': 'Download CSV',
      'surveys.csvReady': 'Survey figures CSV downloaded.',
      'surveys.definition':
        'Satisfaction = share of owners giving 4 or 5 overall; loyalty = share giving 4 or more on overall, would buy again and would recommend (5-point scale).',
      'surveys.answers': 'Answers',
      'surveys.lowOnly': 'Low scores only (overall ≤ 3)',
      'surveys.owner': 'Owner',
      'surveys.unit': 'Unit',
      'surveys.stage': 'Stage',
      'surveys.scores': 'Overall / again / recommend',
      'surveys.comments': 'Comments',
      'surveys.case': 'Case',
      'surveys.openCase': 'Open a case',
      'surveys.caseOpened': 'Case {number} opened.',
      'surveys.noAnswers': 'No answers yet.',
      'surveys.paper': 'paper',
      'surveys.runScan': "Send today's invitations now",
      'surveys.scanned': "Today's survey scan ran: {invitations} new invitations, {reminders} reminders.",
    },
  },
  async render(main, ctx) {
    ctx.setTitle(t('nav.surveys'));
    mount(main, html`<h1>${t('nav.surveys')}</h1><p class="loading">${t('app.loading')}</p>`);
    const by = BY.find((b) => b === ctx.query.get('by')) ?? 'estate';
    const low = ctx.query.get('low') === '1';
    /** @type {{ rounds: Round[] }} */ let r;
    /** @type {{ total: Counts, rows: FigureRow[] }} */ let f;
    /** @type {{ answers: Answer[] }} */ let a;
    try {
      [r, f, a] = await Promise.all([
        api('surveys/rounds'),
        api('surveys/figures', { query: { by } }),
        api('surveys/answers', { query: { maxOverall: low ? LOW : null, limit: 100 } }),
      ]);
    } catch (err) {
      mount(main, html`<h1>${t('nav.surveys')}</h1>${errorBox(err)}`);
      return;
    }
    const manager = ['dept_manager', 'vice_gm', 'gm', 'admin'].includes(ctx.session.staff.role);
    /** @param {Counts} c */
    const rate = (c) =>
      html`${pct(c.responseRate)} <span class="${c.targetMet ? 'ok' : 'muted'}">(${c.targetMet ? t('surveys.met') : t('surveys.notMet')})</span>`;
    const rounds = r.rounds.length
      ? html`<table id="survey-rounds"><thead><tr><th scope="col">${t('surveys.estate')}</th><th scope="col">${t('surveys.month')}</th>
          <th scope="col" class="num">${t('surveys.invited')}</th><th scope="col" class="num">${t('surveys.answered')}</th>
          <th scope="col" class="num">${t('surveys.responseRate')}</th><th scope="col" class="num">${t('surveys.satisfaction')}</th>
          <th scope="col" class="num">${t('surveys.loyalty')}</th><th scope="col" class="num">${t('surveys.reminded')}</th>
          <th scope="col">${t('surveys.closes')}</th></tr></thead>
        <tbody>${r.rounds.map(
          (
            x,
          ) => html`<tr data-round="${x.id}"><td>${x.projectName}</td><td>${x.month}</td><td class="num">${x.invited}</td>
            <td class="num">${x.respondents}</td><td class="num">${rate(x)}</td><td class="num">${pct(x.satisfaction)}</td>
            <td class="num">${pct(x.loyalty)}</td><td class="num">${x.reminded}</td>
            <td>${date(x.closesAt)} <span class="muted">${t('surveys.publishBy', { date: date(x.publishBy) })}</span></td></tr>`,
        )}</tbody></table>`
      : html`<p class="notice">${t('surveys.noRounds')}</p>`;
    /** @param {string} name @param {Counts} c */
    const figureRow = (name, c) => html`<tr><th scope="row">${name}</th><td class="num">${c.invited}</td>
      <td class="num">${c.respondents}</td><td class="num">${pct(c.responseRate)}</td>
      <td class="num">${pct(c.satisfaction)}</td><td class="num">${pct(c.loyalty)}</td></tr>`;
    const answers = a.answers.length
      ? html`<table id="survey-answers"><thead><tr><th scope="col">${t('surveys.owner')}</th><th scope="col">${t('surveys.unit')}</th>
          <th scope="col">${t('surveys.stage')}</th><th scope="col">${t('surveys.scores')}</th><th scope="col">${t('surveys.comments')}</th>
          <th scope="col">${t('surveys.case')}</th></tr></thead>
        <tbody>${a.answers.map(
          (x) => html`<tr data-answer="${x.id}" class="${x.overall <= LOW ? 'survey-low' : ''}">
            <td>${x.ownerName}<br><span class="muted">${dateTime(x.answeredAt)}${x.via === 'paper' ? ` · ${t('surveys.paper')}` : ''}</span></td>
            <td>${x.projectName} ${x.unitLabel}</td><td>${x.lifeStageName}</td>
            <td class="survey-scores">${x.overall} / ${x.buyAgain} / ${x.recommend}</td>
            <td>${Object.values(x.texts).join(' ')}</td>
            <td>${
              x.caseId
                ? html`<a href="#/cases/${x.caseId}">${x.caseNumber}</a>`
                : html`<button type="button" class="secondary" data-open-case="${x.id}">${t('surveys.openCase')}</button>`
            }</td></tr>`,
        )}</tbody></table>`
      : html`<p class="notice">${t('surveys.noAnswers')}</p>`;

    mount(
      main,
      html`<div id="surveys-page">
      <h1>${t('nav.surveys')}</h1>
      <section aria-labelledby="s-rounds"><h2 id="s-rounds">${t('surveys.rounds')}</h2>
        ${manager && html`<p class="actions"><button type="button" class="secondary" id="survey-scan">${t('surveys.runScan')}</button></p>`}
        ${rounds}</section>
      <section aria-labelledby="s-figures"><h2 id="s-figures">${t('surveys.figures')}</h2>
        <p class="hint">${t('surveys.definition')}</p>
        <form class="filters" id="survey-filter">
          <div class="field"><label for="s-by">${t('surveys.by')}</label>
            <select id="s-by" name="by">${BY.map((b) => html`<option value="${b}" ${b === by ? html`selected` : null}>${t(`surveys.by.${b}`)}</option>`)}</select></div>
          <div class="field"><label><input type="checkbox" name="low" value="1" ${low ? html`checked` : null}> ${t('surveys.lowOnly')}</label></div>
          <button type="submit">${t('surveys.show')}</button>
          <button type="button" class="secondary" id="survey-csv">${t('surveys.csv')}</button>
        </form>
        <div id="survey-error"></div>
        <table id="survey-figures"><thead><tr><th scope="col">${t(`surveys.by.${by}`)}</th><th scope="col" class="num">${t('surveys.invited')}</th>
          <th scope="col" class="num">${t('surveys.answered')}</th><th scope="col" class="num">${t('surveys.responseRate')}</th>
          <th scope="col" class="num">${t('surveys.satisfaction')}</th><th scope="col" class="num">${t('surveys.loyalty')}</th></tr></thead>
          <tbody>${f.rows.map((x) => figureRow(x.label, x))}</tbody>
          <tfoot>${figureRow(t('surveys.total'), f.total)}</tfoot></table>
        <p class="muted">${t('surveys.target', { n: f.total.responseTarget })}</p>
      </section>
      <section aria-labelledby="s-answers"><h2 id="s-answers">${t('surveys.answers')}</h2>${answers}</section>
      </div>`,
    );

    const form = /** @type {HTMLFormElement} */ ($('#survey-filter', main));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const q = new URLSearchParams();
      for (const [k, v] of new FormData(form)) if (typeof v === 'string') q.set(k, v);
      ctx.navigate(`/surveys?${q}`);
    });
    const csv = $('#survey-csv', main);
    csv.addEventListener('click', () => void download());
    async function download() {
      mount($('#survey-error', main), html``);
      try {
        const url = await apiObjectUrl(`surveys/figures.csv?by=${by}`);
        const link = document.createElement('a');
        link.href = url;
        link.download = `survey-figures-${by}.csv`;
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
        flash(t('surveys.csvReady'));
      } catch (err) {
        mount($('#survey-error', main), errorBox(err));
      }
    }
    main.querySelector('#survey-scan')?.addEventListener('click', () => void runScan());
    async function runScan() {
      try {
        const r = /** @type {{ invitations: number, reminders: number }} */ (
          await api('survey-scan', { method: 'POST' })
        );
        flash(t('surveys.scanned', r));
        ctx.navigate(`/surveys?${ctx.query}`);
      } catch (err) {
        mount($('#survey-error', main), errorBox(err));
      }
    }
    for (const button of main.querySelectorAll('[data-open-case]'))
      button.addEventListener('click', () => void openCase(/** @type {HTMLButtonElement} */ (button)));
    /** @param {HTMLButtonElement} button */
    async function openCase(button) {
      button.disabled = true;
      try {
        const c = /** @type {{ caseId: string, caseNumber: string }} */ (
          await api(`surveys/answers/${button.dataset.openCase}/case`, { method: 'POST', body: {} })
        );
        flash(t('surveys.caseOpened', { number: c.caseNumber }));
        ctx.navigate(`/cases/${c.caseId}`);
      } catch (err) {
        button.disabled = false;
        mount($('#survey-error', main), errorBox(err));
      }
    }
  },
};
