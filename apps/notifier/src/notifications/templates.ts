import {
  escapeHtml,
  notificationVariables,
  type FieldProblem,
  type NotificationKind,
  type NotificationVariables,
  type NotifyChannel,
} from '@kefu/shared';

const TZ = 'Asia/Shanghai';
const fmtTime = (iso: string) =>
  new Intl.DateTimeFormat('zh-CN', {
    timeZone: TZ,
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(new Date(iso));
const fmtDay = (day: string) => `${Number(day.slice(0, 4))}年${Number(day.slice(5, 7))}月${Number(day.slice(8, 10))}日`;

/** What a template produces; SMS uses `text` only, email all three, letters `subject` + `text`. */
export interface Rendered {
  subject: string;
  text: string;
  /** Case number for the email subject tag (intake threads replies by it). */
  caseNumber: string | null;
  /** Printed only in a letter, after the text (a survey's paper form). */
  letterAppendix?: string;
}

type Template<K extends NotificationKind> = (v: NotificationVariables<K>, name: string | null) => Rendered;
const hello = (name: string | null) => (name ? `${name}您好：` : '您好：');

const noticeLabels = {
  handover: '交付通知书',
  construction_progress: '楼盘进度通报',
  safety_alert: '安全预警',
  holiday_greeting: '节日问候',
  official: '通知',
} as const;
const estateNotice = (v: NotificationVariables<'estate_notice' | 'estate_update'>, name: string | null): Rendered => ({
  subject: `【${noticeLabels[v.noticeKind]}】${v.estateName}：${v.title}`,
  text: `${hello(name)}【${v.estateName}·${v.title}】${v.body}${v.noticeKind === 'holiday_greeting' ? '' : `（编号${v.reference}）`}`,
  caseNumber: null,
});

/** One template per kind, Chinese first. Plain functions: the variable contract is checked before they run. */
const templates: { [K in NotificationKind]: Template<K> } = {
  case_acknowledgement: (v, name) => ({
    subject: `您的来访已受理（${v.caseNumber}）`,
    text: `${hello(name)}您反映的问题已受理，编号${v.caseNumber}，我们将于${fmtTime(v.promisedReplyAt)}前答复您。`,
    caseNumber: v.caseNumber,
  }),
  case_reply: (v, name) => ({
    subject: `关于您反映问题的答复（${v.caseNumber}）`,
    text: `${hello(name)}关于您反映的问题（编号${v.caseNumber}）：${v.replyText}${v.staffName ? `（经办人：${v.staffName}）` : ''}`,
    caseNumber: v.caseNumber,
  }),
  staff_reminder: (v, name) => ({
    subject: `${v.overdue ? '【已超时】' : '【提醒】'}${v.caseNumber} ${v.stepLabel}`,
    text: `${hello(name)}案件${v.caseNumber}的「${v.stepLabel}」${v.overdue ? '已于' : '应于'}${fmtTime(v.dueAt)}${v.overdue ? '到期，请尽快处理' : '前完成'}。确认：${v.ackUrl}`,
    caseNumber: v.caseNumber,
  }),
  escalation: (v, name) => ({
    subject: `【升级】${v.caseNumber} ${v.stepLabel}`,
    text: `${hello(name)}案件${v.caseNumber}的「${v.stepLabel}」（时限${fmtTime(v.dueAt)}）已升级至第${v.level}级${v.levelName ? `「${v.levelName}」` : ''}${v.fromName ? `（原负责人：${v.fromName}）` : ''}，原因：${v.reason}。确认：${v.ackUrl}`,
    caseNumber: v.caseNumber,
  }),
  staff_digest: (v, name) => ({
    subject: `客服日报 ${fmtDay(v.date)}：超时${v.overdue}，今日到期${v.dueToday}，未确认${v.unacknowledged}`,
    text: [
      `${hello(name)}${fmtDay(v.date)}：超时${v.overdue}件，今日到期${v.dueToday}件，未确认${v.unacknowledged}件。`,
      ...(v.overdueVisits ? [`业主拜访逾期${v.overdueVisits}户。`] : []),
      ...v.items.map(
        (i) =>
          `${i.caseNumber} ${i.stepLabel} ${fmtTime(i.dueAt)} ${{ overdue: '超时', due_today: '今日到期', unacknowledged: '未确认' }[i.state]}`,
      ),
    ].join('\n'),
    caseNumber: null,
  }),
  warranty_expiry: (v, name) => ({
    subject: `保修期满提醒：${v.estateName}${v.unitLabel}`,
    text: `${hello(name)}您的房屋${v.estateName}${v.unitLabel}的「${v.itemName}」保修期将于${fmtDay(v.expiresOn)}届满，如有问题请在此之前报修${v.servicePhone ? `，电话${v.servicePhone}` : ''}。`,
    caseNumber: null,
  }),
  certificate_collection: (v, name) => ({
    subject: `${{ notice: '办证通知', reminder: '办证提醒', final_reminder: '办证最后提醒' }[v.stage]}：${v.estateName}${v.unitLabel}`,
    text: `${hello(name)}请于${fmtDay(v.fromDate)}至${fmtDay(v.deadline)}（${v.hours}）到${v.place}办理${v.estateName}${v.unitLabel}的房产证，请携带：${v.documents.join('、')}。${v.reference ? `编号${v.reference}。` : ''}`,
    caseNumber: null,
  }),
  return_visit_request: (v, name) => {
    const what = `${v.repair ? '您报修的问题' : '您反映的问题'}（编号${v.caseNumber}${v.summary ? `，${v.summary}` : ''}）`;
    const done = v.repair ? '已维修完成，请您验收；验收后' : '已处理，';
    return {
      subject: v.repair ? `维修完成，请验收（${v.caseNumber}）` : `回访：您反映的问题处理得如何？（${v.caseNumber}）`,
      text: v.visitUrl
        ? `${hello(name)}${what}${done}请点击链接告诉我们您是否满意：${v.visitUrl}`
        : `${hello(name)}${what}${done}请告诉我们您是否满意${v.servicePhone ? `，电话${v.servicePhone}` : '，直接回复即可'}。`,
      caseNumber: v.caseNumber,
    };
  },
  visit_due: (v, name) => ({
    subject: `拜访提醒 ${fmtDay(v.date)}：逾期${v.overdue}，今日${v.dueToday}，近期${v.upcoming}`,
    text: [
      `${hello(name)}${fmtDay(v.date)}您的业主拜访：逾期${v.overdue}户，今日到期${v.dueToday}户，近期到期${v.upcoming}户。`,
      ...v.items.map(
        (i) =>
          `${i.estateName}${i.unitLabel} ${i.kindLabel} ${fmtDay(i.dueOn)} ${{ overdue: '逾期', due_today: '今日', upcoming: '近期' }[i.state]}`,
      ),
    ].join('\n'),
    caseNumber: null,
  }),
  survey_invitation: (v, name) => {
    const where = `${v.estateName}${v.unitLabel}`;
    const ask = v.reminder
      ? `${hello(name)}我们还没有收到您对「${v.title}」的回答，您的意见对我们很重要。`
      : `${hello(name)}感谢您选择${where}。为了解您对我们产品和服务的评价，诚邀您参加「${v.title}」，约需3分钟。`;
    const form = v.questions?.length
      ? [
          '您也可以填写下面的问卷，寄回或交到物业服务中心（5 非常满意，4 比较满意，3 一般，2 不太满意，1 很不满意）：',
          ...v.questions.map(
            (q, i) =>
              `${i + 1}. ${q.label}${q.scale ? '    □5  □4  □3  □2  □1' : '\n____________________________________________'}`,
          ),
          '',
          '扫描信上的二维码，也可以在手机上填写。',
        ]
      : [];
    return {
      subject: `${v.reminder ? '【提醒】' : ''}${v.title}：${where}`,
      text: `${ask}请在${fmtDay(v.expiresOn)}前填写：${v.surveyUrl}`,
      caseNumber: null,
      ...(form.length ? { letterAppendix: form.join('\n') } : {}),
    };
  },
  estate_notice: estateNotice,
  estate_update: estateNotice,
  case_writeup_shared: (v, name) => ({
    subject: `典型案例分享：${v.title}（${v.caseNumber}）`,
    text: `${hello(name)}${v.sharedBy}向${v.departmentName}分享了典型案例「${v.title}」（${v.caseNumber}）。经验教训：${v.lesson}${v.url ? `\n详情：${v.url}` : ''}`,
    caseNumber: null,
  }),
  sms_template_refused: (v, name) => ({
    subject: `短信模板被拒：${v.provider} ${v.template}`,
    text: `${hello(name)}${v.provider === 'aliyun' ? '阿里云' : '腾讯云'}短信拒绝了模板 ${v.template}（通知类型 ${v.refusedKind}）：${v.code} ${v.message}。这类短信已改走下一渠道；请在服务商控制台核对签名与模板，或修正 SMS_TEMPLATES_FILE。`,
    caseNumber: null,
  }),
};

/** A link a letter prints as a QR code beside its text (a survey letter's page), or null. */
export function letterQrUrl(kind: NotificationKind, variables: unknown): string | null {
  if (kind !== 'survey_invitation') return null;
  const parsed = notificationVariables.survey_invitation.safeParse(variables);
  return parsed.success ? parsed.data.surveyUrl : null;
}

export class TemplateVariablesError extends Error {
  constructor(readonly problems: FieldProblem[]) {
    super(`template variables: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
  }
}

/** Checks the variables against the kind's contract and renders; throws TemplateVariablesError naming each bad variable. */
export function renderTemplate(kind: NotificationKind, variables: unknown, recipientName: string | null): Rendered {
  const parsed = notificationVariables[kind].safeParse(variables);
  if (!parsed.success)
    throw new TemplateVariablesError(
      parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(variables)', message: i.message })),
    );
  return (templates[kind] as Template<NotificationKind>)(parsed.data, recipientName);
}

/** The message a channel sends: SMS gets the company signature first, email a case tag in the subject and an HTML body. */
export function forChannel(
  channel: NotifyChannel,
  r: Rendered,
  smsSignature: string,
): { subject: string | null; body: string; html: string | null } {
  if (channel === 'sms') return { subject: null, body: `${smsSignature}${r.text.replace(/\n/g, ' ')}`, html: null };
  if (channel === 'email') {
    const subject =
      r.caseNumber && !r.subject.includes(`[${r.caseNumber}]`) ? `[${r.caseNumber}] ${r.subject}` : r.subject;
    const paragraphs = r.text
      .split('\n')
      .map((l) => `<p>${escapeHtml(l)}</p>`)
      .join('');
    const html = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body>${paragraphs}<p style="color:#888">此邮件由系统自动发送；直接回复即可联系客户服务部。</p></body></html>`;
    return { subject, body: `${r.text}\n\n此邮件由系统自动发送；直接回复即可联系客户服务部。`, html };
  }
  return { subject: r.subject, body: r.letterAppendix ? `${r.text}\n\n${r.letterAppendix}` : r.text, html: null };
}

/**
 * SMS parts: pure GSM-7 text is 160 characters single / 153 per part; anything else is UCS-2, 70
 * single / 67 per part (counted in UTF-16 code units, as the carrier does).
 */
export function smsSegments(text: string): number {
  // eslint-disable-next-line no-control-regex
  const gsm = /^[\x0A\x0D\x20-\x7E]*$/.test(text) && !/[[\]{}\\^~|`]/.test(text);
  const len = text.length;
  const [single, part] = gsm ? [160, 153] : [70, 67];
  return len <= single ? 1 : Math.ceil(len / part);
}
