// @ts-check
// The console's shell: hash routes (#/cases/…), the nav by role, language switch, session handling.
import { keepSessionAlive, whenUnauthenticated } from './lib/api.js';
import { changeOwnPassword } from './lib/password-dialog.js';
import { $ } from './lib/dom.js';
import { html, mount } from './lib/html.js';
import { register, setLang, getLang, t, label } from './lib/i18n.js';
import { clearSession, getSession } from './lib/session.js';
import { errorBox, flash } from './lib/ui.js';
import login from './pages/login.js';
import hotline from './pages/hotline.js';
import cases from './pages/cases.js';
import caseDetail from './pages/case-detail.js';
import reminders from './pages/reminders.js';
import certificates from './pages/certificates.js';
import warranty from './pages/warranty.js';
import dashboard from './pages/dashboard.js';
import reports from './pages/reports.js';
import quarantine from './pages/quarantine.js';
import routing from './pages/routing.js';
import escalationChain from './pages/escalation-chain.js';
import staff from './pages/staff.js';
import handover from './pages/handover.js';
import outbox, { localOutboxAvailable } from './pages/outbox.js';
import visits from './pages/visits.js';
import surveys from './pages/surveys.js';
import notices, { noticeDetail } from './pages/notices.js';
import caseLibrary, { caseLibraryDetail, caseLibraryWrite } from './pages/case-library.js';
import recurringProblems from './pages/recurring-problems.js';

/** @typedef {import('./lib/types').Page} Page @typedef {import('./lib/types').Role} Role */

/** In nav order. */
const pages = [
  hotline,
  handover,
  cases,
  caseDetail,
  reminders,
  certificates,
  warranty,
  dashboard,
  reports,
  quarantine,
  routing,
  escalationChain,
  staff,
  outbox,
  visits,
  surveys,
  notices,
  noticeDetail,
  caseLibrary,
  caseLibraryWrite,
  caseLibraryDetail,
  recurringProblems,
];
for (const p of [login, ...pages]) register(p.messages);

/** Where each role starts. @type {Record<Role, string>} */
const home = {
  operator: '/hotline',
  cs_rep: '/cases',
  dept_manager: '/reminders',
  vice_gm: '/dashboard',
  gm: '/dashboard',
  admin: '/dashboard',
};

/** @param {string} pattern @param {string} path @returns {Record<string, string> | null} */
function match(pattern, path) {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  /** @type {Record<string, string>} */
  const params = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? '';
    const g = got[i] ?? '';
    if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(g);
    else if (w !== g) return null;
  }
  return params;
}

const main = $('#main');
let renderCount = 0;
/** The local outbox is in the nav only where local providers run (asked once signed in). */
let localOutbox = false;

function chrome() {
  const session = getSession();
  document.documentElement.lang = getLang() === 'zh' ? 'zh-CN' : 'en';
  $('#skip').textContent = t('app.skip');
  $('#brand').textContent = t('app.name');
  $('#lang').textContent = t('app.language');
  $('#logout').textContent = t('app.logout');
  $('#change-password').textContent = t('pw.open');
  $('#nav').setAttribute('aria-label', t('nav.label'));
  $('#top').hidden = !session;
  if (!session) return;
  if (!localOutbox)
    void localOutboxAvailable().then((yes) => {
      if (yes && !localOutbox) {
        localOutbox = true;
        chrome();
      }
    });
  $('#who').textContent = `${session.staff.name} · ${label('role', session.staff.role)}`;
  const current = location.hash.slice(1).split('?')[0] ?? '';
  mount(
    $('#nav'),
    html`<ul>${pages
      .filter((p) => p.nav && (!p.roles || session.staff.role === 'admin' || p.roles.includes(session.staff.role)))
      .filter((p) => p !== outbox || localOutbox)
      .map(
        (p) =>
          html`<li><a href="#${p.path}" ${current.startsWith(p.path) ? html`aria-current="page"` : ''}>${t(p.nav ?? '')}</a></li>`,
      )}</ul>`,
  );
}

async function route() {
  const mine = ++renderCount;
  const [path = '/', queryString = ''] = location.hash.slice(1).split('?');
  const query = new URLSearchParams(queryString);
  const session = getSession();
  chrome();
  if (!session || path === '/login') {
    if (session && path === '/login') return void (location.hash = `#${home[session.staff.role]}`);
    if (path !== '/login') return void (location.hash = `#/login?next=${encodeURIComponent(location.hash.slice(1))}`);
    await login.render(main, { session: /** @type {any} */ (null), params: {}, query, navigate, setTitle });
    return;
  }
  if (path === '/' || path === '') return void (location.hash = `#${home[session.staff.role]}`);
  const found = pages.map((p) => ({ p, params: match(p.path, path) })).find((x) => x.params);
  if (!found || !found.params) {
    setTitle(t('app.notFound'));
    mount(main, html`<h1>${t('app.notFound')}</h1>`);
    return;
  }
  // Each render gets an element of its own: a slow answer for a page already left lands in a detached
  // element instead of over the new page, and listeners a page attaches go away with it.
  const view = document.createElement('div');
  view.className = 'view';
  mount(view, html`<p class="loading">${t('app.loading')}</p>`);
  main.replaceChildren(view);
  try {
    await found.p.render(view, { session, params: found.params, query, navigate, setTitle });
  } catch (err) {
    if (mine === renderCount)
      mount(
        main,
        html`<h1>${t('app.error')}</h1>${errorBox(err)}<p><button type="button" id="retry">${t('app.retry')}</button></p>`,
      );
    document.getElementById('retry')?.addEventListener('click', () => void route());
  }
}

/** @param {string} path */
function navigate(path) {
  location.hash = `#${path}`;
}

/** @param {string} title */
function setTitle(title) {
  document.title = `${title} · ${t('app.name')}`;
}

whenUnauthenticated(() => {
  flash(t('app.sessionExpired'));
  if (!location.hash.startsWith('#/login'))
    location.hash = `#/login?next=${encodeURIComponent(location.hash.slice(1))}`;
});

$('#lang').addEventListener('click', () => {
  setLang(getLang() === 'zh' ? 'en' : 'zh');
  void route();
});
$('#change-password').addEventListener('click', () => void changeOwnPassword($('#change-password')));
$('#logout').addEventListener('click', () => {
  clearSession();
  location.hash = '#/login';
});
// Logging in or out in another tab.
addEventListener('storage', (e) => e.key === 'kefu.session' && void route());
addEventListener('hashchange', () => {
  void route().then(() => main.focus({ preventScroll: true }));
});
keepSessionAlive();
void route();

register({
  zh: { 'nav.label': '主菜单' },
  en: { 'nav.label': 'Main menu' },
});
