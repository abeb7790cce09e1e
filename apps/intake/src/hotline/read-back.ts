import type { CaseType } from '@kefu/shared';

const typeLabel: Record<CaseType, string> = { complaint: '投诉', repair: '报修', enquiry: '咨询', suggestion: '建议', claim: '索赔申请' };
const weekdays = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'];

/** "11月25日（星期三）18:00" in the business time zone. */
const formatters = new Map<string, Intl.DateTimeFormat>();
// Building an Intl.DateTimeFormat costs far more than using one: one per zone.
function promiseFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, month: 'numeric', day: 'numeric', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  return f;
}

export function formatPromise(at: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    promiseFormatter(timeZone)
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const wd = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday ?? '');
  return `${parts.month}月${parts.day}日（${weekdays[wd] ?? ''}）${parts.hour}:${parts.minute}`;
}

/**
 * The sentence the operator reads back to the caller (seeds 002 §7.2.1 and the read-back rule of the
 * second 投诉程序 §7.1.2): what was recorded, the case number, the promised reply date.
 */
export function readBackSentence(c: { number: string; type: CaseType; promisedReplyAt: Date | null }, summary: string, timeZone: string): string {
  const promise = c.promisedReplyAt ? `我们会在${formatPromise(c.promisedReplyAt, timeZone)}前给您答复。` : '';
  const text = summary.length > 120 ? `${summary.slice(0, 120)}……` : summary;
  return `已为您登记${typeLabel[c.type]}，编号 ${c.number}。${promise}您反映的是：${text}。请问我记录得对吗？`;
}
