import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decide, type CaseLookup, type MailDecision } from './mail-decision';

const fixtures = join(__dirname, '../../test-fixtures/mail');
const read = (name: string) => readFileSync(join(fixtures, name));
const lookup: CaseLookup = {
  byMessageIds: (ids) =>
    Promise.resolve(ids.includes('ack-7f3a9c21@kefu.example') ? { id: 'case-thread', number: 'KF-2026-00003' } : null),
  byNumbers: (numbers) =>
    Promise.resolve(
      numbers.includes('COBZS001-2026-00001')
        ? { id: 'case-subject', number: 'COBZS001-2026-00001', addresses: ['wang.owner@example.com'] }
        : null,
    ),
};
const run = (raw: Buffer, maxBytes = 25 * 1024 * 1024) =>
  decide(raw, { maxBytes, size: raw.length, truncated: false, lookup });
function asCase(d: MailDecision) {
  if (d.kind !== 'case') throw new Error(`expected a case, got ${d.kind}: ${JSON.stringify(d)}`);
  return d;
}

describe('decide (one stored mail)', () => {
  it('decodes GB2312-labelled mail as GB18030 (a GBK-only character survives), subject and body, base64', async () => {
    const d = asCase(await run(read('gb2312-foxmail.eml')));
    expect(d.reporter).toEqual({
      name: '王喆',
      contact: '王喆 <wangzhe.owner@163.com>',
      email: 'wangzhe.owner@163.com',
      phones: ['13812345678'],
    });
    expect(d.description).toMatch(/^3栋2单元1502卫生间漏水\n\n您好：\n我是碧海云天3栋2单元1502的业主王喆/);
    expect(d.unitText).toBe('3栋2单元1502卫生间漏水');
  });

  it('decodes GBK quoted-printable and Big5 base64 headers and bodies', async () => {
    const gbk = asCase(await run(read('gbk-qqmail.eml')));
    expect(gbk.reporter.name).toBe('李女士');
    expect(gbk.description).toContain('3栋1502楼上晚上十点还在装修施工');
    const big5 = asCase(await run(read('big5-owner.eml')));
    expect(big5.reporter.name).toBe('陳先生');
    expect(big5.description).toBe(
      '停車場入口道閘經常抬不起來\n\n客服部您好：\n停車場入口的道閘經常抬不起來，每天早上都要排隊，請盡快處理。',
    );
  });

  it('turns HTML-only mail into readable text without any script, handler or link target', async () => {
    const d = asCase(await run(read('html-only-scripts.eml')));
    expect(d.description).toContain('小区东门口的路灯坏了一周了，晚上很黑。');
    expect(d.description).toContain('点击查看照片');
    for (const bad of [
      'alert',
      'script',
      'onerror',
      'javascript:',
      'document.cookie',
      'evil.example',
      'color:red',
      '<',
    ])
      expect(d.description).not.toContain(bad);
  });

  it("takes the owner in a department's forward as the reporter and keeps the forwarder", async () => {
    const d = asCase(await run(read('forwarded-by-department.eml')));
    expect(d.reporter).toMatchObject({ name: '赵女士', email: 'zhao.owner@example.com' });
    expect(d.summary.forwardedBy).toEqual({ name: '工程部 李工', address: 'ligong@kefu.example' });
    expect(d.description).toContain('地下车库B2层112车位上方一直滴水');
  });

  it("prefers Reply-To over From for the reporter's address", async () => {
    const raw = Buffer.from(
      'From: Web Form <noreply@forms.example>\r\nReply-To: =?UTF-8?B?5YiY5aWz5aOr?= <liu.owner@example.com>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0800\r\nSubject: test\r\nMessage-ID: <rt@x>\r\n\r\n电梯坏了\r\n',
    );
    expect(asCase(await run(raw)).reporter).toMatchObject({ name: '刘女士', email: 'liu.owner@example.com' });
  });

  it('adds a reply to the case named in the subject, or to the case whose mail it answers', async () => {
    const bySubject = await run(read('reply-with-case-number.eml'));
    expect(bySubject).toMatchObject({ kind: 'reply', caseId: 'case-subject', matchedBy: 'subject' });
    if (bySubject.kind === 'reply')
      expect(bySubject.parsed.attachments.map((a) => [a.filename, a.role])).toEqual([['leak.png', 'attachment']]);
    expect(await run(read('reply-in-thread.eml'))).toMatchObject({
      kind: 'reply',
      caseId: 'case-thread',
      matchedBy: 'thread',
    });
  });

  it("holds a stranger's mail quoting a case number for staff instead of adding it to that case (issue 16, 11)", async () => {
    const raw = Buffer.from(
      read('reply-with-case-number.eml').toString('latin1').replace('wang.owner@example.com', 'stranger@phish.example'),
      'latin1',
    );
    const d = await run(raw);
    expect(d).toMatchObject({
      kind: 'quarantine',
      reason: expect.stringMatching(
        /^quotes case COBZS001-2026-00001 in its subject, but comes from an address that case does not know/,
      ),
      summary: expect.objectContaining({ quotedCase: 'COBZS001-2026-00001' }),
    });
  });

  it('opens a new case when the case number in the subject does not exist', async () => {
    const raw = Buffer.from(
      read('reply-with-case-number.eml').toString('latin1').replace('<reply-0001@example.com>', '<other@x>'),
      'latin1',
    );
    const d = await decide(raw, {
      maxBytes: 1e9,
      size: raw.length,
      truncated: false,
      lookup: { byMessageIds: () => Promise.resolve(null), byNumbers: () => Promise.resolve(null) },
    });
    expect(d.kind).toBe('case');
  });

  it.each(readdirSync(join(fixtures, 'corpus/bounces')))(
    'hands the bounce %s to the notifier with its recipients and status',
    async (file) => {
      const d = await run(read(`corpus/bounces/${file}`));
      expect(d.kind).toBe('bounce');
      if (d.kind !== 'bounce') return;
      expect(d.report.recipients.length).toBeGreaterThan(0);
      for (const r of d.report.recipients) {
        expect(r.address).toMatch(/@/);
        expect(r.status ?? r.diagnostic).toBeTruthy();
      }
    },
  );

  it('reads Postfix, Exim, Exchange and Gmail bounces precisely', async () => {
    const pick = async (f: string) => {
      const d = await run(read(`corpus/bounces/${f}`));
      return d.kind === 'bounce' ? d.report : null;
    };
    expect(await pick('lhost-postfix-03.eml')).toMatchObject({
      format: 'rfc3464',
      recipients: [{ address: 'kijitora@example.net', action: 'failed', status: '5.0.0' }],
      originalMessageId: '20140701000000.000000000000@e1.example.ne.jp',
    });
    expect(await pick('lhost-exim-01.eml')).toMatchObject({
      format: 'x-failed-recipients',
      recipients: [{ address: 'kijitora@example.ed.jp', status: '5.7.0' }],
      originalMessageId: 'E1P1ce6-000Egt-GZ@e1.example.org',
    });
    expect(await pick('lhost-exchange2007-01.eml')).toMatchObject({
      format: 'rfc3464',
      recipients: [{ address: 'mikeneko@example.co.jp', status: '5.1.1' }],
    });
    expect(await pick('lhost-gmail-01.eml')).toMatchObject({
      recipients: [{ address: 'userunknown@example.jp', status: '5.1.1' }],
    });
    expect(await pick('lhost-office365-02.eml')).toMatchObject({
      format: 'free-text',
      recipients: [{ address: 'kijitora@example.onmicrosoft.com', status: '5.1.1' }],
    });
  });

  it.each([
    ['corpus/auto-replies/rfc3834-01.eml', /^auto-submitted/],
    ['corpus/auto-replies/rfc3834-02.eml', /^x-auto-response-suppress/],
    ['corpus/auto-replies/rfc3834-03.eml', /^x-apple-action/],
    ['outlook-oof-zh.eml', /^auto-submitted \(auto-submitted: auto-generated\)/],
    ['autoreply-163.eml', /^subject/],
  ])('never makes a case of the auto-reply %s', async (file, rule) => {
    const d = await run(read(file));
    expect(d.kind).toBe('auto_reply');
    if (d.kind === 'auto_reply') expect(d.reason).toMatch(rule);
  });

  it.each([
    ['Precedence: bulk', /^precedence/],
    ['Precedence: list', /^precedence/],
    ['X-Loop: cs@kefu.example', /^x-loop/],
    ['Subject: Out of Office: away', /^subject/],
    ['Subject: 不在办公室: 答复', /^subject/],
    ['Subject: Auto Reply: hello', /^subject/],
  ])('treats "%s" as an auto-reply', async (line, rule) => {
    const raw = Buffer.from(
      `From: a@example.com\r\nDate: Mon, 23 Nov 2026 10:00:00 +0800\r\nMessage-ID: <ar@x>\r\n${line.startsWith('Subject') ? '' : 'Subject: hi\r\n'}${line}\r\n\r\nbody\r\n`,
    );
    const d = await run(raw);
    expect(d).toMatchObject({ kind: 'auto_reply' });
    if (d.kind === 'auto_reply') expect(d.reason).toMatch(rule);
  });

  it('lets Auto-Submitted: no and a mail that only looks like a bounce through', async () => {
    const raw = Buffer.from(
      'From: a@example.com\r\nDate: Mon, 23 Nov 2026 10:00:00 +0800\r\nMessage-ID: <no@x>\r\nAuto-Submitted: no\r\nSubject: 漏水\r\n\r\n漏水\r\n',
    );
    expect((await run(raw)).kind).toBe('case');
    expect((await run(read('corpus/not-bounces/is-not-bounce-01.eml'))).kind).toBe('case');
  });

  it.each([
    ['malformed-no-boundary.eml', 'malformed MIME: "multipart/mixed" has no boundary'],
    ['malformed-lost-boundary.eml', 'malformed MIME: boundary "----=_Part_0_1234" never occurs'],
    ['unknown-charset.eml', 'unknown charset: x-mac-chinesesimp'],
    ['empty.eml', 'empty message: no subject, no text, no attachment'],
    ['garbage.eml', 'unparseable: the message does not start with a header block'],
  ])('quarantines %s with its reason', async (file, reason) => {
    expect(await run(read(file))).toMatchObject({ kind: 'quarantine', reason });
  });

  it('quarantines oversized mail unparsed', async () => {
    expect(await run(read('gbk-qqmail.eml'), 100)).toMatchObject({
      kind: 'quarantine',
      reason: expect.stringMatching(/^oversized: \d+ bytes, more than MAIL_MAX_BYTES \(100\)/),
    });
  });

  it('quarantines a text part in an unknown charset but not an attachment that names one', async () => {
    const mk = (disposition: string) =>
      Buffer.from(
        `From: a@example.com\r\nDate: Mon, 23 Nov 2026 10:00:00 +0800\r\nMessage-ID: <cs@x>\r\nSubject: hi\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n漏水\r\n--b\r\nContent-Type: text/plain; charset=unknown-8bit\r\n${disposition}\r\nabc\r\n--b--\r\n`,
      );
    expect(await run(mk(''))).toMatchObject({ kind: 'quarantine', reason: 'unknown charset: unknown-8bit' });
    expect((await run(mk('Content-Disposition: attachment; filename="log.txt"\r\n'))).kind).toBe('case');
  });

  it('keeps thousands of recipients as a count and a sample, not as a wall of addresses', async () => {
    const to = Array.from({ length: 3000 }, (_, i) => `owner${i}@example.com`).join(',\r\n ');
    const raw = Buffer.from(
      `From: owner@example.com\r\nTo: ${to}\r\nDate: Mon, 23 Nov 2026 10:00:00 +0800\r\nMessage-ID: <many@x>\r\nSubject: 全体业主联名投诉\r\n\r\n电梯长期故障\r\n`,
    );
    const d = asCase(await run(raw));
    expect(d.summary).toMatchObject({ toCount: 3000 });
    expect((d.summary.to as string[]).length).toBe(20);
  });

  it('keeps inline images (by Content-ID) and attachments apart', async () => {
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
      'base64',
    ).toString('base64');
    const raw = Buffer.from(
      'From: a@example.com\r\nDate: Mon, 23 Nov 2026 10:00:00 +0800\r\nMessage-ID: <inline@x>\r\nSubject: =?UTF-8?B?5aKZ6KOC5LqG?=\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\n' +
        '--m\r\nContent-Type: multipart/related; boundary=r\r\n\r\n--r\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n<p>墙裂了，见图</p><img src="cid:crack@x">\r\n' +
        `--r\r\nContent-Type: image/png\r\nContent-ID: <crack@x>\r\nContent-Disposition: inline; filename="crack.png"\r\nContent-Transfer-Encoding: base64\r\n\r\n${png}\r\n--r--\r\n` +
        `--m\r\nContent-Type: application/pdf; name="report.pdf"\r\nContent-Disposition: attachment; filename="report.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--m--\r\n`,
    );
    const d = asCase(await run(raw));
    expect(d.description).toBe('墙裂了\n\n墙裂了，见图');
    expect(d.parts.map((p) => [p.filename, p.role, p.contentId])).toEqual([
      ['crack.png', 'inline', 'crack@x'],
      ['report.pdf', 'attachment', null],
    ]);
  });
});
