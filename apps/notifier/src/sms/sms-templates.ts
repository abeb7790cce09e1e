import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { notificationVariables, type NotificationKind } from '@kefu/shared';

export type DomesticProvider = 'aliyun' | 'tencent';

/** A template parameter's longest value the providers take (Alibaba Cloud: 35 characters a variable). */
export const PARAM_MAX_CHARS = 35;

/** Besides the kind's own variables, a template may name the recipient (as the Twilio text greets them). */
export const RECIPIENT_NAME = 'recipientName';

const entry = z.object({
  /** Alibaba Cloud TemplateCode (SMS_…) or Tencent Cloud TemplateId (digits). */
  template: z.string().min(1),
  /** Ordered: Tencent's {1}, {2}…; Alibaba Cloud's ${name} variables carry these names. */
  params: z.array(z.string().min(1)).max(20),
  /** The approved text (optional: documentation, and what the local fakes register). */
  text: z.string().min(1).optional(),
});
const fileSchema = z
  .object({
    aliyun: z.record(z.string(), entry).optional(),
    tencent: z.record(z.string(), entry).optional(),
  })
  .strict();

export type TemplateEntry = z.infer<typeof entry>;
export type TemplateMapping = Record<DomesticProvider, Partial<Record<NotificationKind, TemplateEntry>>>;

/**
 * The per-deployment template mapping (SMS_TEMPLATES_FILE), checked at start-up against each kind's variable
 * contract: every problem is listed at once, naming the provider, kind and parameter.
 */
export function parseTemplateMapping(json: unknown, source = 'SMS_TEMPLATES_FILE'): TemplateMapping {
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(
      `${source}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  const problems: string[] = [];
  const out: TemplateMapping = { aliyun: {}, tencent: {} };
  for (const provider of ['aliyun', 'tencent'] as const) {
    for (const [kind, e] of Object.entries(parsed.data[provider] ?? {})) {
      const contract = (notificationVariables as Record<string, z.ZodObject | undefined>)[kind];
      if (!contract) {
        problems.push(`${provider}.${kind}: no such notification kind`);
        continue;
      }
      const known = Object.keys(contract.shape);
      for (const p of e.params)
        if (p !== RECIPIENT_NAME && !known.includes(p))
          problems.push(
            `${provider}.${kind}: parameter "${p}" is not a variable of ${kind} (${[...known, RECIPIENT_NAME].join(', ')})`,
          );
      if (provider === 'aliyun' && !/^SMS_\d+$/.test(e.template))
        problems.push(`${provider}.${kind}: template "${e.template}" is not an Alibaba Cloud TemplateCode (SMS_…)`);
      if (provider === 'tencent' && !/^\d+$/.test(e.template))
        problems.push(`${provider}.${kind}: template "${e.template}" is not a Tencent Cloud TemplateId (digits)`);
      if (e.text) {
        const placeholders =
          provider === 'aliyun'
            ? [...e.text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!)
            : [...e.text.matchAll(/\{(\d+)\}/g)].map((m) => m[1]!);
        const expected = provider === 'aliyun' ? e.params : e.params.map((_, i) => String(i + 1));
        if ([...new Set(placeholders)].sort().join() !== [...expected].sort().join())
          problems.push(
            `${provider}.${kind}: the text's variables (${placeholders.join(', ')}) do not match params (${expected.join(', ')})`,
          );
      }
      out[provider][kind as NotificationKind] = e;
    }
  }
  if (problems.length)
    throw new Error(`${source} does not fit the notification kinds:\n  - ${problems.join('\n  - ')}`);
  return out;
}

export function loadTemplateMapping(path: string | undefined): TemplateMapping {
  if (!path) return { aliyun: {}, tencent: {} };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`SMS_TEMPLATES_FILE ${path} cannot be read: ${err instanceof Error ? err.message : String(err)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`SMS_TEMPLATES_FILE ${path} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseTemplateMapping(json, `SMS_TEMPLATES_FILE ${path}`);
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
// References, numbers, dates, URLs: never cut (a cut number is a wrong number).
const VERBATIM = /^[\x21-\x7e]+$/;

function format(v: unknown): string {
  if (v === null || v === undefined || v === '') return '-';
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (Array.isArray(v)) return v.map(format).join('、');
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string') return JSON.stringify(v);
  if (ISO_DATE.test(v)) {
    const [y, m, d] = v.split('-').map(Number);
    return `${y}年${m}月${d}日`;
  }
  if (ISO_TIME.test(v)) {
    const parts = new Intl.DateTimeFormat('zh-CN', {
      timeZone: 'Asia/Shanghai',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    }).formatToParts(new Date(v));
    const p = (t: string) => parts.find((x) => x.type === t)?.value ?? '';
    return `${p('year')}年${p('month')}月${p('day')}日${p('hour')}:${p('minute')}`;
  }
  return v.replace(/\s+/g, ' ').trim();
}

/**
 * The ordered parameter values of a kind's template: formatted (dates as 2027年1月31日), names and free text cut
 * to PARAM_MAX_CHARS (ending in …), references and numbers never cut — one too long is an error naming it.
 */
export function templateParams(
  e: TemplateEntry,
  variables: Record<string, unknown>,
  recipientName: string | null,
): { ok: true; values: string[] } | { ok: false; message: string } {
  const values: string[] = [];
  for (const name of e.params) {
    const v = format(name === RECIPIENT_NAME ? recipientName : variables[name]);
    const chars = [...v];
    if (chars.length <= PARAM_MAX_CHARS) values.push(v);
    else if (VERBATIM.test(v))
      return {
        ok: false,
        message: `template parameter ${name} is ${chars.length} characters, over the provider's ${PARAM_MAX_CHARS}, and is not cut (a reference or number)`,
      };
    else values.push(`${chars.slice(0, PARAM_MAX_CHARS - 1).join('')}…`);
  }
  return { ok: true, values };
}
