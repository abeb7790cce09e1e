// @ts-check
/** @typedef {import('./types').Lang} Lang @typedef {import('./types').Messages} Messages */

/** @type {{ zh: Record<string, string>, en: Record<string, string> }} */
const catalogue = { zh: {}, en: {} };

/** @returns {Lang} */
function storedLang() {
  try {
    return localStorage.getItem('kefu.lang') === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
}

/** @type {Lang} */
let lang = storedLang();

/** Adds a page's messages to the catalogue. @param {Messages} messages */
export function register(messages) {
  Object.assign(catalogue.zh, messages.zh);
  Object.assign(catalogue.en, messages.en);
}

/** Chinese first; English by the switch in the header (kept in localStorage). */
export const getLang = () => lang;

/** @param {Lang} next */
export function setLang(next) {
  lang = next;
  try {
    localStorage.setItem('kefu.lang', next);
  } catch {
    // private mode: the choice lasts for this page
  }
  document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
}

/**
 * The message for `key` in the current language (falling back to Chinese, then to the key itself),
 * with `{name}` placeholders filled from `vars`.
 * @param {string} key
 * @param {Record<string, string | number>} [vars]
 */
export function t(key, vars) {
  const text = catalogue[lang][key] ?? catalogue.zh[key] ?? key;
  return vars ? text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m)) : text;
}

/** The label of an enum value the API returns (`status.new`, `category.sales`…), or the value itself. @param {string} group @param {string | null | undefined} value */
export function label(group, value) {
  if (value === null || value === undefined || value === '') return '—';
  const key = `${group}.${value}`;
  const text = t(key);
  return text === key ? value : text;
}

register({
  zh: {
    'app.name': '客服系统',
    'app.skip': '跳到正文',
    'app.logout': '退出',
    'app.language': 'English',
    'app.loading': '加载中…',
    'app.error': '出错了',
    'app.retry': '重试',
    'app.notFound': '没有这个页面。',
    'app.sessionExpired': '登录已过期，请重新登录。',
    'app.forbidden': '您的角色不能查看这一页。',
    'app.unreachable': '服务暂时无法连接，请稍后再试。',
    'app.fields': '请更正以下内容：',
    'app.prev': '上一页',
    'app.next': '下一页',
    'app.page': '第 {page} 页，共 {pages} 页（{total} 条）',
    'app.none': '没有记录。',
    'app.save': '保存',
    'app.cancel': '取消',
    'app.confirm': '确定',
    'app.search': '查询',
    'app.reset': '清除',
    'app.all': '全部',
    'role.operator': '话务员',
    'role.cs_rep': '客服专员',
    'role.dept_manager': '部门经理',
    'role.vice_gm': '副总经理',
    'role.gm': '总经理',
    'role.admin': '管理员',
    'status.new': '新登记',
    'status.accepted': '已受理',
    'status.assigned': '已分派',
    'status.replied': '已答复',
    'status.resolved': '已处理',
    'status.return_visited': '已回访',
    'status.closed': '已关闭',
    'status.rejected': '无效',
    'channel.hotline': '热线',
    'channel.email': '邮件',
    'channel.fax': '传真',
    'channel.web': '网上表单',
    'channel.suggestion_box': '意见箱',
    'channel.walk_in': '来访',
    'type.complaint': '投诉',
    'type.repair': '报修',
    'type.enquiry': '咨询',
    'type.suggestion': '建议',
    'type.claim': '索赔',
    'category.engineering_quality': '工程质量',
    'category.planning_design': '规划设计',
    'category.sales': '销售管理',
    'category.property_management': '物业管理',
    'category.customer_service': '客户服务',
    'category.other': '其他',
    'severity.minor': '轻微',
    'severity.major': '重大',
  },
  en: {
    'app.name': 'Kefu',
    'app.skip': 'Skip to content',
    'app.logout': 'Log out',
    'app.language': '中文',
    'app.loading': 'Loading…',
    'app.error': 'Something went wrong',
    'app.retry': 'Retry',
    'app.notFound': 'There is no such page.',
    'app.sessionExpired': 'Your session has expired; please log in again.',
    'app.forbidden': 'Your role cannot see this page.',
    'app.unreachable': 'The service cannot be reached just now; try again shortly.',
    'app.fields': 'Please correct the following:',
    'app.prev': 'Previous',
    'app.next': 'Next',
    'app.page': 'Page {page} of {pages} ({total} in all)',
    'app.none': 'Nothing here.',
    'app.save': 'Save',
    'app.cancel': 'Cancel',
    'app.confirm': 'Confirm',
    'app.search': 'Search',
    'app.reset': 'Clear',
    'app.all': 'All',
    'role.operator': 'Operator',
    'role.cs_rep': 'CS representative',
    'role.dept_manager': 'Department manager',
    'role.vice_gm': 'Vice GM',
    'role.gm': 'General manager',
    'role.admin': 'Administrator',
    'status.new': 'New',
    'status.accepted': 'Accepted',
    'status.assigned': 'Assigned',
    'status.replied': 'Replied',
    'status.resolved': 'Resolved',
    'status.return_visited': 'Return visited',
    'status.closed': 'Closed',
    'status.rejected': 'Invalid',
    'channel.hotline': 'Hotline',
    'channel.email': 'Email',
    'channel.fax': 'Fax',
    'channel.web': 'Web form',
    'channel.suggestion_box': 'Suggestion box',
    'channel.walk_in': 'Walk-in',
    'type.complaint': 'Complaint',
    'type.repair': 'Repair',
    'type.enquiry': 'Enquiry',
    'type.suggestion': 'Suggestion',
    'type.claim': 'Claim',
    'category.engineering_quality': 'Engineering quality',
    'category.planning_design': 'Planning & design',
    'category.sales': 'Sales',
    'category.property_management': 'Property management',
    'category.customer_service': 'Customer service',
    'category.other': 'Other',
    'severity.minor': 'Minor',
    'severity.major': 'Major',
  },
});
