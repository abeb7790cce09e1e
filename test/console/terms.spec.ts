import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caseTypes, deadlineSteps, firstReplyRules, intakeOutcomes } from '@kefu/shared';
import { classificationRules, classify, overrideRule, type ClassifiedField } from '../../apps/intake/src/normalise';
import { stepLabel } from '../../apps/scheduler/src/reminders/steps';

type Lang = 'zh' | 'en';
type Call = [fn: string, ...args: Array<string | null>];

const consoleLib = join(__dirname, '../../apps/intake/console/lib');
const notifierSrc = join(__dirname, '../../apps/notifier/src');

/**
 * Runs lib/terms.js, the console's own browser module, in a child node (jest here is CommonJS): a copy of lib/
 * marked as ES modules, a stub localStorage and document, each call answered in Chinese and in English.
 */
function inConsole(calls: Call[]): Record<Lang, string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'kefu-terms-'));
  try {
    cpSync(consoleLib, dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    writeFileSync(
      join(dir, 'run.js'),
      `globalThis.localStorage = { getItem: () => null, setItem: () => undefined };
       globalThis.document = { documentElement: {} };
       const calls = JSON.parse(process.argv[2]);
       const i18n = await import('./i18n.js');
       const terms = await import('./terms.js');
       const out = {};
       for (const lang of ['zh', 'en']) {
         i18n.setLang(lang);
         out[lang] = calls.map(([fn, ...args]) => String(terms[fn](...args)));
       }
       process.stdout.write(JSON.stringify(out));`,
    );
    const json = execFileSync(process.execPath, [join(dir, 'run.js'), JSON.stringify(calls)], { encoding: 'utf8' });
    return JSON.parse(json) as Record<Lang, string[]>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every answer is words, not the key it was asked about (nor a key-like part of it), and English has no Chinese in it. */
function expectWords(calls: Call[], out: Record<Lang, string[]>, opts: { englishMayQuote?: boolean } = {}) {
  const missing: string[] = [];
  calls.forEach(([fn, key], i) => {
    for (const lang of ['zh', 'en'] as const) {
      const text = out[lang][i]!;
      if (text === key || (/[._:]/.test(key!) && text.includes(key!))) missing.push(`${lang} ${fn}(${key}) → ${text}`);
    }
    // A keyword is quoted as it is (Chinese); everything else must be English.
    const english = opts.englishMayQuote ? out.en[i]!.replace(/“[^”]*”/g, '') : out.en[i]!;
    if (/[\u4e00-\u9fff]/.test(english)) missing.push(`en ${fn}(${key}) is Chinese: ${out.en[i]}`);
  });
  expect(missing).toEqual([]);
}

describe('console words for the keys the APIs store', () => {
  it('has words for every rule the classifier and case intake can record', () => {
    const rules = new Set<string>();
    for (const rule of classificationRules)
      for (const k of rule.keywords) classify(k).rules.forEach((r) => rules.add(r));
    classify('').rules.forEach((r) => rules.add(r));
    for (const type of caseTypes) classify('', { type }).rules.forEach((r) => rules.add(r));
    for (const by of ['manual', 'channel'] as const)
      for (const field of ['type', 'category', 'severity'] satisfies ClassifiedField[])
        rules.add(overrideRule(by, field));
    // Every keyword of the table, the default, the hints and the overrides.
    expect(rules.size).toBeGreaterThan(classificationRules.reduce((n, r) => n + r.keywords.length, 0) / 2);
    expect(rules).toContain('type.default:complaint');

    const calls: Call[] = [...rules].map((r) => ['classifierRule', r]);
    const out = inConsole(calls);
    expectWords(
      calls.map(([fn, rule]) => [fn, rule!.split(':')[0]!]),
      out,
      { englishMayQuote: true },
    );
    const at = (r: string) => calls.findIndex(([, rule]) => rule === r);
    expect(out.zh[at('type.repair:漏水')]).toBe('关键词「漏水」→ 报修');
    expect(out.en[at('type.repair:漏水')]).toBe('keyword “漏水” → repair');
    expect(out.zh[at('category.property_management:路灯')]).toBe('关键词「路灯」→ 物业管理');
    expect(out.en[at('severity.major:触电')]).toBe('keyword “触电” → major');
    expect(out.zh[at('channel.type')]).toBe('类型按来源渠道填写');
    expect(out.en[at('manual.category')]).toBe('category set by staff');
  });

  it('names every SLA rule a promised reply date can rest on, and every deadline step as the scheduler does', () => {
    const calls: Call[] = [
      ...firstReplyRules.map((r): Call => ['slaRuleName', r]),
      ...deadlineSteps.map((s): Call => ['stepName', s]),
    ];
    const out = inConsole(calls);
    expectWords(calls, out);
    expect(out.zh.slice(0, firstReplyRules.length)).toContain('一般投诉首次反馈时限');
    // One Chinese name per step: the reminder list (scheduler's label), the case page and its reasons agree.
    expect(out.zh.slice(firstReplyRules.length)).toEqual(deadlineSteps.map((s) => stepLabel[s]));
  });

  it("reads the scheduler's escalation reasons back in English", () => {
    const reasons = [
      '未在时限内确认',
      '第3次错过承诺答复日期，直接升级至总经理',
      ...deadlineSteps.map((s) => `已超过${stepLabel[s]}时限`),
    ];
    const out = inConsole(reasons.map((r) => ['reminderReason', r]));
    expect(out.zh).toEqual(reasons);
    expect(out.en.filter((r) => /[\u4e00-\u9fff]/.test(r))).toEqual([]);
    expect(out.en[1]).toBe('Promised reply date missed 3 times: straight to the GM');
    // case-workflow.service.ts moveReplyDate's refusal (Chinese with an English gloss) reads as one language.
    const moved = inConsole([
      ['reminderReason', '答复日期已变更2次，再次申请变更：直接升级至总经理 (reply date already moved 2 times)'],
    ]);
    expect(moved).toEqual({
      zh: ['答复日期已变更2次，再次申请变更：直接升级至总经理'],
      en: ['Reply date already moved 2 times and asked again: straight to the GM'],
    });
    expect(out.en[2]).toBe('Past the deadline: Reply to the customer (promised date)');
  });

  it('names every intake outcome and the reasons intake gives for setting an item aside', () => {
    const calls: Call[] = intakeOutcomes.map((o) => ['outcomeName', o]);
    expectWords(calls, inConsole(calls));
    // The leading words of mail-decision.ts, mail-processing.service.ts, mailbox-store.service.ts and the web form.
    const reasons = [
      'oversized: 30000000 bytes, more than MAIL_MAX_BYTES (25000000)',
      'unknown charset: x-klingon',
      'unparseable: the message does not start with a header block',
      'processing error: simulated',
      'empty message: no subject, no text, no attachment',
      'spam: honeypot',
      'not a delivery or feedback report (bounce mailbox): recorded, ignored',
      'same Message-ID and content as intake record 0b3c',
      'gave up after 5 attempts, last: processing error: database down',
    ];
    const out = inConsole(reasons.map((r) => ['intakeReason', r]));
    for (const lang of ['zh', 'en'] as const)
      expect(out[lang].filter((w, i) => w === 'null' || w === reasons[i])).toEqual([]);
    expect(out.zh[8]).toBe('尝试 5 次后放弃：处理出错');
    expect(inConsole([['intakeReason', 'not a readable TIFF']]).zh).toEqual(['null']); // shown as it is
  });

  it("keeps one language of the API's bilingual sentences, and other messages as they are", () => {
    // claim.dto.ts and claims.service.ts: Chinese, then an English gloss in brackets.
    const messages = [
      '请填写赔偿方案 (the plan is required)',
      '赔偿方案须由主管副总或总经理批复。(Only a vice GM or the GM approves a claim.)',
      '案件 KF-2026-00001 还没有赔偿方案。(Record a proposal first.)',
      'Invalid input: expected number, received undefined',
      '交给 张三 (经理)',
    ];
    expect(inConsole(messages.map((m) => ['oneLanguage', m]))).toEqual({
      zh: [
        '请填写赔偿方案',
        '赔偿方案须由主管副总或总经理批复。',
        '案件 KF-2026-00001 还没有赔偿方案。',
        messages[3],
        messages[4],
      ],
      en: [
        'the plan is required',
        'Only a vice GM or the GM approves a claim.',
        'Record a proposal first.',
        messages[3],
        messages[4],
      ],
    });
  });

  it('names the actors intake and the scheduler write, and leaves staff names alone', () => {
    // actorColumns (owner), case-intake (system), mail-processing (email, fax), reminder-sender (scheduler), hotline CDR import.
    const calls: Call[] = ['owner', 'system', 'email', 'fax', 'scheduler', 'operator'].map((a) => [
      'actorName',
      a,
      null,
    ]);
    const out = inConsole([
      ...calls,
      ['actorName', 'CDR import by 客服 陈敏', null],
      ['actorName', 'owner', 'staff-id'],
    ]);
    expectWords(calls, { zh: out.zh.slice(0, calls.length), en: out.en.slice(0, calls.length) });
    expect(out.zh.slice(0, 4)).toEqual(['业主', '系统', '邮件收件', '传真收件']);
    expect(out.zh[calls.length]).toBe('话单导入（客服 陈敏）');
    expect(out.zh[calls.length + 1]).toBe('owner'); // a staff member's name, whatever it reads
  });

  it('has plain words for every error code the notifier writes, and a generic phrase for unknown ones', () => {
    // The codes are read from the notifier's source, so a new code without words fails here.
    const codes = new Set<string>(['rate_limited']);
    const files = readdirSync(notifierSrc, { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.ts') && !/spec\.ts$/.test(f) && !f.startsWith('testing'),
    );
    for (const f of files) {
      const text = readFileSync(join(notifierSrc, f), 'utf8');
      for (const m of text.matchAll(/\bcode: '([a-z_0-9]+)'/g)) codes.add(m[1]!);
      for (const m of text.matchAll(/\bcode === (\d{5})\b/g)) codes.add(m[1]!);
    }
    expect([...codes]).toEqual(expect.arrayContaining(['no_sender', 'no_address', 'opted_out', '21211', '21610']));
    // Twilio's carrier range, SMTP replies, DSN statuses and network errors are built from parts.
    for (const c of ['30003', '30005', '30007', 'smtp_550', 'smtp_421', 'dsn_5.1.1', 'dsn_5.7.1', 'dsn_4.4.7'])
      codes.add(c);
    for (const c of ['http_429', 'http_503', 'ECONNREFUSED', 'network_error']) codes.add(c);
    // The domestic SMS providers' own codes (Alibaba Cloud isv.*, Tencent Cloud Category.Reason).
    for (const c of ['isv.MOBILE_NUMBER_ILLEGAL', 'FailedOperation.PhoneNumberInBlacklist']) codes.add(c);

    const unknown: Call[] = [
      ['notificationProblem', '99999'],
      ['notificationProblem', 'made_up'],
    ];
    const calls: Call[] = [...codes].map((c) => ['notificationProblem', c]);
    const out = inConsole([...unknown, ...calls]);
    const generic = { zh: out.zh[0]!, en: out.en[0]! };
    expect(generic.zh).toBe('发送未成功，服务商返回了未识别的错误');
    expect(out.en[1]).toBe(generic.en);
    const vague = calls.filter((_, i) => out.zh[i + 2] === generic.zh || out.en[i + 2] === generic.en);
    expect(vague).toEqual([]);
    expectWords(calls, { zh: out.zh.slice(2), en: out.en.slice(2) });
    expect(out.zh[2 + [...codes].indexOf('no_sender')]).toBe('没有配置这个渠道的发送服务，消息未发出');
    expect(out.en[2 + [...codes].indexOf('30003')]).toBe(
      'The phone cannot be reached (switched off or out of coverage)',
    );
  });
});
