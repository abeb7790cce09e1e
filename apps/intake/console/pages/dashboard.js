// @ts-check
import { api } from '../lib/api.js';
import { barLineChart } from '../lib/chart.js';
import { $ } from '../lib/dom.js';
import { dateTime, percent } from '../lib/format.js';
import { html, mount } from '../lib/html.js';
import { getLang, label, t } from '../lib/i18n.js';
import { errorBox } from '../lib/ui.js';

/**
 * @typedef {{ validComplaints: number, closed: number, closureRate: number | null, replied: number, repliedOnTime: number,
 *   onTimeReplyRate: number | null, finished: number, returnVisited: number, returnVisitRate: number | null,
 *   visitAnswered: number, satisfied: number, satisfactionRate: number | null }} Figures
 * @typedef {{ projectId: string | null, projectCode: string | null, projectName: string | null }} Estate
 * @typedef {{ month: string, totals: Figures, byCategory: Array<Figures & { category: string | null }>,
 *   byEstate: Array<Figures & Estate>, trend: Array<Figures & { month: string }>,
 *   ownerSurvey?: { respondents: number, satisfied: number, loyal: number, satisfaction: number | null, loyalty: number | null } }} Monthly
 * @typedef {{ open: number, overdue: number }} OpenFigures
 * @typedef {{ id: string, trigger: string, status: string, startedAt: string, finishedAt: string | null,
 *   counts: Record<string, number> }} RetentionRun
 * @typedef {{ totals: OpenFigures, byCategory: Array<OpenFigures & { category: string | null }>, byEstate: Array<OpenFigures & Estate> }} OpenCases
 */

const BAR = '#1a5fb4';
/** Renders so far: an answer that arrives after a newer render (another month picked meanwhile) is dropped. */
let renders = 0;
const CLOSURE = '#1a7f37';
const ON_TIME = '#b35900';

/** This month in Beijing time: "2026-11". */
function thisMonth() {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
  }).formatToParts(new Date());
  return `${parts.find((p) => p.type === 'year')?.value}-${parts.find((p) => p.type === 'month')?.value}`;
}

/** "2026-11" → "2026年11月" / "Nov 2026". @param {string} month */
function monthLabel(month) {
  const [y, m] = month.split('-');
  if (getLang() === 'zh') return `${y}年${Number(m)}月`;
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', year: 'numeric', month: 'short' }).format(
    new Date(`${month}-15T00:00:00Z`),
  );
}

/** "2026-11" → "11月" / "Nov" (the chart's axis). @param {string} month */
function shortMonth(month) {
  if (getLang() === 'zh') return `${Number(month.split('-')[1])}月`;
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', month: 'short' }).format(
    new Date(`${month}-15T00:00:00Z`),
  );
}

/** Still on the dashboard (the person may have gone to another page while the figures loaded). */
const isHere = () => location.hash.startsWith('#/dashboard');

/** @param {Estate} e */
const estateName = (e) =>
  e.projectId ? `${e.projectName ?? ''}${e.projectCode ? ` (${e.projectCode})` : ''}` : t('dashboard.noEstate');
/** @param {string | null} c */
const categoryName = (c) => (c ? label('category', c) : t('dashboard.noCategory'));

/**
 * A figure card. `name` is both the test hook (data-figure) and part of the ids.
 * @param {string} name @param {string} title @param {string | number} value @param {string} [detail]
 */
const card = (name, title, value, detail) => html`<section class="card dash-card" aria-labelledby="dash-${name}-label">
  <h2 id="dash-${name}-label" class="dash-card-title">${title}</h2>
  <p class="figure" data-figure="${name}">${value}</p>
  ${detail && html`<p class="muted dash-detail">${detail}</p>`}
</section>`;

/** @param {Figures} f @param {string} num @param {string} den @param {'closureRate' | 'onTimeReplyRate' | 'returnVisitRate'} r */
const ratio = (f, num, den, r) =>
  html`<td class="num">${percent(f[r])}${den !== '0' && html`<span class="muted dash-ratio"> (${num}/${den})</span>`}</td>`;

/** The monthly figures as table rows (category or estate first). @param {string} name @param {Figures} f */
const monthlyRow = (name, f) => html`<tr>
  <th scope="row">${name}</th>
  <td class="num">${f.validComplaints}</td>
  ${ratio(f, String(f.closed), String(f.validComplaints), 'closureRate')}
  ${ratio(f, String(f.repliedOnTime), String(f.replied), 'onTimeReplyRate')}
  ${ratio(f, String(f.returnVisited), String(f.finished), 'returnVisitRate')}
</tr>`;

/** @param {string} caption @param {string} first @param {Array<{ name: string, f: Figures }>} rows */
const monthlyTable = (caption, first, rows) => html`<table class="dash-table">
  <caption>${caption}</caption>
  <thead><tr><th scope="col">${first}</th><th scope="col" class="num">${t('dashboard.valid')}</th><th scope="col" class="num">${t('dashboard.closureRate')}</th>
    <th scope="col" class="num">${t('dashboard.onTimeRate')}</th><th scope="col" class="num">${t('dashboard.returnVisitRate')}</th></tr></thead>
  <tbody>${rows.length ? rows.map((r) => monthlyRow(r.name, r.f)) : html`<tr><td colspan="5" class="muted">${t('dashboard.noneThisMonth')}</td></tr>`}</tbody>
</table>`;

/** @param {string} caption @param {string} first @param {Array<{ name: string, f: OpenFigures }>} rows @param {OpenFigures} total */
const openTable = (caption, first, rows, total) => html`<table class="dash-table">
  <caption>${caption}</caption>
  <thead><tr><th scope="col">${first}</th><th scope="col" class="num">${t('dashboard.open')}</th><th scope="col" class="num">${t('dashboard.overdue')}</th></tr></thead>
  <tbody>${rows.length ? rows.map((r) => html`<tr><th scope="row">${r.name}</th><td class="num">${r.f.open}</td><td class="num">${r.f.overdue > 0 ? html`<span class="due due-overdue">${r.f.overdue}</span>` : 0}</td></tr>`) : html`<tr><td colspan="3" class="muted">${t('app.none')}</td></tr>`}</tbody>
  <tfoot><tr><th scope="row">${t('dashboard.total')}</th><td class="num">${total.open}</td><td class="num">${total.overdue}</td></tr></tfoot>
</table>`;

/** @param {Monthly} m */
function trendSection(m) {
  const months = m.trend.map((x) => x.month);
  const chart = barLineChart({
    title: t('dashboard.chartTitle', { from: monthLabel(months[0] ?? m.month), to: monthLabel(m.month) }),
    categories: months.map(shortMonth),
    bars: { label: t('dashboard.valid'), values: m.trend.map((x) => x.validComplaints), color: BAR },
    lines: [
      {
        label: t('dashboard.closureRate'),
        values: m.trend.map((x) => x.closureRate),
        color: CLOSURE,
        marker: 'circle',
      },
      {
        label: t('dashboard.onTimeRate'),
        values: m.trend.map((x) => x.onTimeReplyRate),
        color: ON_TIME,
        marker: 'square',
        dash: '6 4',
      },
    ],
  });
  return html`<section aria-labelledby="dash-trend">
    <h2 id="dash-trend">${t('dashboard.trend')}</h2>
    <figure class="card dash-chart">
      ${chart}
      <figcaption class="muted">${t('dashboard.chartCaption')}</figcaption>
    </figure>
    ${monthlyTable(
      t('dashboard.trendTable'),
      t('dashboard.month'),
      m.trend.map((x) => ({ name: monthLabel(x.month), f: x })),
    )}
  </section>`;
}

/**
 * The last runs of the daily records-retention purge (scheduler `GET /api/v1/retention/runs`), read-only: when, how it
 * ended, and how many records of each kind it removed. Left out when the scheduler cannot be reached.
 * @param {RetentionRun[] | null} runs
 */
function retentionSection(runs) {
  if (!runs) return '';
  const removed = (/** @type {RetentionRun} */ r) =>
    Object.entries(r.counts)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ') || t('dashboard.retention.nothing');
  return html`<section aria-labelledby="dash-retention" data-section="retention">
    <h2 id="dash-retention">${t('dashboard.retention')}</h2>
    <p class="muted">${t('dashboard.retention.detail')}</p>
    ${
      runs.length
        ? html`<table class="card">
          <thead><tr><th scope="col">${t('dashboard.retention.started')}</th><th scope="col">${t('dashboard.retention.status')}</th>
            <th scope="col">${t('dashboard.retention.removed')}</th></tr></thead>
          <tbody>${runs.map(
            (r) => html`<tr><td>${dateTime(r.startedAt)}</td><td>${r.status}</td><td>${removed(r)}</td></tr>`,
          )}</tbody>
        </table>`
        : html`<p>${t('dashboard.retention.none')}</p>`
    }
  </section>`;
}

/** @type {import('../lib/types').Page} */
export default {
  path: '/dashboard',
  nav: 'nav.dashboard',
  roles: ['dept_manager', 'vice_gm', 'gm'],
  messages: {
    zh: {
      'nav.dashboard': '经理看板',
      'dashboard.month': '月份',
      'dashboard.show': '查看',
      'dashboard.thisMonth': '本月',
      'dashboard.monthHeading': '{month}客服月报',
      'dashboard.valid': '有效投诉',
      'dashboard.closureRate': '结案率',
      'dashboard.onTimeRate': '按时答复率',
      'dashboard.returnVisitRate': '回访率',
      'dashboard.closedOf': '已结案 {n} / 有效投诉 {d}',
      'dashboard.onTimeOf': '按时答复 {n} / 已答复 {d}',
      'dashboard.visitedOf': '已回访 {n} / 已处理 {d}',
      'dashboard.satisfactionRate': '满意率',
      'dashboard.satisfiedOf': '满意 {n} / 已回访 {d}',
      'dashboard.ownerSatisfaction': '业主满意度',
      'dashboard.ownerSatisfiedOf': '满意度调查：4–5 分 {n} / 回答 {d}（忠诚度 {loyalty}）',
      'dashboard.validDetail': '{month}受理为有效的投诉、报修、索赔',
      'dashboard.openNow': '当前未结案件',
      'dashboard.overdueNow': '当前逾期未答复',
      'dashboard.openDetail': '全部类型，不含已结案、无效',
      'dashboard.overdueDetail': '已过承诺答复时间仍未答复',
      'dashboard.open': '未结',
      'dashboard.overdue': '逾期',
      'dashboard.total': '合计',
      'dashboard.category': '类别',
      'dashboard.estate': '项目',
      'dashboard.noCategory': '未分类',
      'dashboard.noEstate': '未关联项目',
      'dashboard.openSection': '未结与逾期案件（当前）',
      'dashboard.openByCategory': '按类别统计的未结与逾期案件',
      'dashboard.openByEstate': '按项目统计的未结与逾期案件',
      'dashboard.monthSection': '{month}分项统计',
      'dashboard.monthByCategory': '{month}按类别统计',
      'dashboard.monthByEstate': '{month}按项目统计',
      'dashboard.noneThisMonth': '本月没有有效投诉。',
      'dashboard.trend': '近 6 个月趋势',
      'dashboard.chartTitle': '{from}至{to}：有效投诉数（柱）、结案率与按时答复率（线）',
      'dashboard.chartCaption': '柱：有效投诉数（左轴）；实线圆点：结案率；虚线方块：按时答复率（右轴）。数据见下表。',
      'dashboard.trendTable': '近 6 个月的数据',
      'dashboard.definitions': '口径说明',
      'dashboard.def.valid':
        '有效投诉：当月收到、已受理为有效的投诉、报修和索赔（不含咨询、建议）；按北京时间的收到时间计月。',
      'dashboard.def.closure': '结案率：其中现已结案的 ÷ 有效投诉数。',
      'dashboard.def.onTime': '按时答复率：首次答复不晚于当时承诺的答复时间的 ÷ 已答复（有承诺日期）的。',
      'dashboard.def.visit': '回访率：已回访（含已结案）的 ÷ 已处理完毕（已处理、已回访、已结案）的。',
      'dashboard.def.satisfaction':
        '满意率：最近一次回访（业主通过回访链接的评价或员工电话回访记录）为满意的 ÷ 已有回访记录的。',
      'dashboard.def.overdue': '逾期：承诺答复时间已过，案件仍为新登记、已受理或已分派（与案件队列的"逾期"一致）。',
      'dashboard.retention': '记录保存：最近的清理',
      'dashboard.retention.detail':
        '每天凌晨按记录保存规定（002 §8、004 篇3 §4.5）删除到期记录；各类记录的期限见 README。',
      'dashboard.retention.started': '开始时间',
      'dashboard.retention.status': '结果',
      'dashboard.retention.removed': '删除（类别 数量）',
      'dashboard.retention.nothing': '无到期记录',
      'dashboard.retention.none': '尚未运行。',
    },
    en: {
      'nav.dashboard': 'Dashboard',
      'dashboard.month': 'Month',
      'dashboard.show': 'Show',
      'dashboard.thisMonth': 'This month',
      'dashboard.monthHeading': 'Monthly report, {month}',
      'dashboard.valid': 'Valid complaints',
      'dashboard.closureRate': 'Closure rate',
      'dashboard.onTimeRate': 'On-time reply rate',
      'dashboard.returnVisitRate': 'Return-visit rate',
      'dashboard.closedOf': '{n} closed of {d} valid',
      'dashboard.onTimeOf': '{n} on time of {d} replied',
      'dashboard.visitedOf': '{n} visited of {d} finished',
      'dashboard.satisfactionRate': 'Satisfaction',
      'dashboard.satisfiedOf': '{n} satisfied of {d} visited',
      'dashboard.ownerSatisfaction': 'Owner satisfaction',
      'dashboard.ownerSatisfiedOf': 'Surveys: {n} gave 4–5 of {d} answers (loyalty {loyalty})',
      'dashboard.validDetail': 'Complaints, repairs and claims received in {month} and accepted as valid',
      'dashboard.openNow': 'Open cases now',
      'dashboard.overdueNow': 'Overdue now',
      'dashboard.openDetail': 'All types, not closed or rejected',
      'dashboard.overdueDetail': 'Promised reply date passed, not answered',
      'dashboard.open': 'Open',
      'dashboard.overdue': 'Overdue',
      'dashboard.total': 'Total',
      'dashboard.category': 'Category',
      'dashboard.estate': 'Estate',
      'dashboard.noCategory': 'Uncategorised',
      'dashboard.noEstate': 'No estate',
      'dashboard.openSection': 'Open and overdue cases (now)',
      'dashboard.openByCategory': 'Open and overdue cases by category',
      'dashboard.openByEstate': 'Open and overdue cases by estate',
      'dashboard.monthSection': '{month} in detail',
      'dashboard.monthByCategory': '{month} by category',
      'dashboard.monthByEstate': '{month} by estate',
      'dashboard.noneThisMonth': 'No valid complaints this month.',
      'dashboard.trend': 'Last 6 months',
      'dashboard.chartTitle': '{from} to {to}: valid complaints (bars), closure and on-time reply rates (lines)',
      'dashboard.chartCaption':
        'Bars: valid complaints (left axis); solid line with circles: closure rate; dashed line with squares: on-time reply rate (right axis). The figures are in the table below.',
      'dashboard.trendTable': 'Figures of the last 6 months',
      'dashboard.definitions': 'How the figures are counted',
      'dashboard.def.valid':
        'Valid complaints: complaints, repairs and claims received in the month (Beijing time) and accepted as valid; enquiries and suggestions are not counted.',
      'dashboard.def.closure': 'Closure rate: those now closed ÷ valid complaints.',
      'dashboard.def.onTime':
        'On-time reply rate: first reply no later than the reply date promised at that time ÷ those replied (with a promised date).',
      'dashboard.def.visit':
        'Return-visit rate: return-visited (or closed) ÷ finished (resolved, return-visited or closed).',
      'dashboard.def.satisfaction':
        "Satisfaction: cases whose latest return visit (the owner's answer through the link, or staff's record of a call) was satisfied ÷ those with a return visit recorded.",
      'dashboard.def.overdue':
        'Overdue: the promised reply date has passed and the case is still new, accepted or assigned (as in the case queue).',
      'dashboard.retention': 'Records retention: recent purges',
      'dashboard.retention.detail':
        'Every night, records past their period under the records rules (002 §8, 004 篇3 §4.5) are removed; each period is in the README.',
      'dashboard.retention.started': 'Started',
      'dashboard.retention.status': 'Result',
      'dashboard.retention.removed': 'Removed (kind count)',
      'dashboard.retention.nothing': 'nothing due',
      'dashboard.retention.none': 'No run yet.',
    },
  },
  async render(main, ctx) {
    ctx.setTitle(t('nav.dashboard'));
    const current = thisMonth();
    const asked = ctx.query.get('month') ?? '';
    const month = /^\d{4}-(0[1-9]|1[0-2])$/.test(asked) ? asked : current;
    const picker = html`<form class="filters" id="dash-filter" role="search">
      <div class="field"><label for="dash-month">${t('dashboard.month')}</label>
        <input type="month" id="dash-month" name="month" value="${month}" max="${current}" required></div>
      <div class="actions"><button type="submit">${t('dashboard.show')}</button>
        ${month !== current && html`<a class="button secondary" href="#/dashboard">${t('dashboard.thisMonth')}</a>`}</div>
    </form>`;

    const mine = ++renders;
    /** @type {Monthly} */ let m;
    /** @type {OpenCases} */ let o;
    /** @type {RetentionRun[] | null} */ let runs;
    try {
      [m, o, runs] = await Promise.all([
        api('reports/monthly', { query: { month } }),
        api('reports/open-cases'),
        /** @type {Promise<RetentionRun[]>} */ (api('retention/runs', { query: { limit: '5' } })).catch(() => null),
      ]);
    } catch (err) {
      if (mine === renders && isHere()) mount(main, html`<h1>${t('nav.dashboard')}</h1>${errorBox(err)}`);
      return;
    }
    if (mine !== renders || !isHere()) return;
    const f = m.totals;
    const ml = monthLabel(m.month);
    mount(
      main,
      html`<h1>${t('nav.dashboard')}</h1>
      ${picker}
      <h2 id="dash-month-heading">${t('dashboard.monthHeading', { month: ml })}</h2>
      <div class="cards" role="group" aria-labelledby="dash-month-heading">
        ${card('validComplaints', t('dashboard.valid'), f.validComplaints, t('dashboard.validDetail', { month: ml }))}
        ${card('closureRate', t('dashboard.closureRate'), percent(f.closureRate), t('dashboard.closedOf', { n: f.closed, d: f.validComplaints }))}
        ${card('onTimeReplyRate', t('dashboard.onTimeRate'), percent(f.onTimeReplyRate), t('dashboard.onTimeOf', { n: f.repliedOnTime, d: f.replied }))}
        ${card('returnVisitRate', t('dashboard.returnVisitRate'), percent(f.returnVisitRate), t('dashboard.visitedOf', { n: f.returnVisited, d: f.finished }))}
        ${card('satisfactionRate', t('dashboard.satisfactionRate'), percent(f.satisfactionRate), t('dashboard.satisfiedOf', { n: f.satisfied, d: f.visitAnswered }))}
        ${m.ownerSurvey && card('ownerSatisfaction', t('dashboard.ownerSatisfaction'), percent(m.ownerSurvey.satisfaction), t('dashboard.ownerSatisfiedOf', { n: m.ownerSurvey.satisfied, d: m.ownerSurvey.respondents, loyalty: percent(m.ownerSurvey.loyalty) }))}
        ${card('open', t('dashboard.openNow'), o.totals.open, t('dashboard.openDetail'))}
        ${card('overdue', t('dashboard.overdueNow'), o.totals.overdue, t('dashboard.overdueDetail'))}
      </div>

      <section aria-labelledby="dash-open">
        <h2 id="dash-open">${t('dashboard.openSection')}</h2>
        <div class="dash-pair">
          ${openTable(
            t('dashboard.openByCategory'),
            t('dashboard.category'),
            o.byCategory.map((r) => ({ name: categoryName(r.category), f: r })),
            o.totals,
          )}
          ${openTable(
            t('dashboard.openByEstate'),
            t('dashboard.estate'),
            o.byEstate.map((r) => ({ name: estateName(r), f: r })),
            o.totals,
          )}
        </div>
      </section>

      ${trendSection(m)}

      <section aria-labelledby="dash-detail">
        <h2 id="dash-detail">${t('dashboard.monthSection', { month: ml })}</h2>
        <div class="dash-pair">
          ${monthlyTable(
            t('dashboard.monthByCategory', { month: ml }),
            t('dashboard.category'),
            m.byCategory.map((r) => ({ name: categoryName(r.category), f: r })),
          )}
          ${monthlyTable(
            t('dashboard.monthByEstate', { month: ml }),
            t('dashboard.estate'),
            m.byEstate.map((r) => ({ name: estateName(r), f: r })),
          )}
        </div>
      </section>

      ${retentionSection(runs)}

      <details class="card dash-defs">
        <summary>${t('dashboard.definitions')}</summary>
        <ul>${['valid', 'closure', 'onTime', 'visit', 'satisfaction', 'overdue'].map((k) => html`<li>${t(`dashboard.def.${k}`)}</li>`)}</ul>
      </details>`,
    );

    // On the form itself (made anew each render), so listeners never pile up on <main>.
    $('#dash-filter', main).addEventListener('submit', (e) => {
      e.preventDefault();
      const value = /** @type {HTMLInputElement} */ ($('#dash-month', main)).value;
      ctx.navigate(value && value !== current ? `/dashboard?month=${encodeURIComponent(value)}` : '/dashboard');
    });
  },
};
