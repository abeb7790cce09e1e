import { readdirSync } from 'node:fs';
import { AttachmentEntity, CaseEntity, CaseEventEntity, SentMessageEntity } from '@kefu/shared';
import { expectEventually, factories } from '@kefu/shared/testing';
import { FIXTURES, fixture, startMailTestEnv, type MailTestEnv } from './testing/mail-test-env';

const mailFixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.eml') && !f.startsWith('reply-'));
const bounces = [
  'lhost-postfix-01.eml',
  'lhost-exim-01.eml',
  'lhost-exchange2007-01.eml',
  'lhost-gmail-01.eml',
  'lhost-qmail-01.eml',
  'rfc3464-01.eml',
];

describe('email and fax-to-email intake (real Dovecot, Postgres, Redis)', () => {
  let env: MailTestEnv;
  let replyTarget: CaseEntity;
  let unitId: string;

  beforeAll(async () => {
    env = await startMailTestEnv();
    const ds = env.db.dataSource;
    // The case owners reply to, numbered first so the fixtures' COBZS001-2026-00001 names it.
    const project = await factories.createProject(ds, { code: 'COBZS001', name: '碧海云天' });
    replyTarget = await factories.createCase(ds, {
      projectCode: 'COBZS001',
      projectId: project.id,
      receivedAt: new Date('2026-11-20T02:00:00Z'),
      channel: 'email',
      reporterEmail: 'wang.owner@example.com',
    });
    await ds
      .getRepository(SentMessageEntity)
      .insert({ messageId: 'ack-7f3a9c21@kefu.example', caseId: replyTarget.id });
    const building = await factories.createBuilding(ds, { projectId: project.id, name: '3栋' });
    unitId = (await factories.createUnit(ds, { buildingId: building.id, entrance: '2', room: '1502' })).id;
    const owner = await factories.createOwner(ds, {
      name: '王喆',
      email: 'wangzhe.owner@163.com',
      mobiles: ['13812345678'],
    });
    await factories.linkOwner(ds, owner.id, unitId);
  });
  afterAll(async () => {
    await env?.close();
  });

  it('takes every fixture: cases for mail and faxes, bounces to the notifier, auto-replies and faults kept aside, the folder emptied', async () => {
    await env.dovecot.appendMessages('INBOX', [
      ...mailFixtures.map(fixture),
      ...bounces.map((b) => fixture(`corpus/bounces/${b}`)),
    ]);
    // IDLE may have started a poll already; state, not the report, is what we check.
    await env.poll();
    expect(await env.dovecot.list('INBOX')).toEqual([]);
    const quarantined = await env.dovecot.list('Quarantine');
    expect(quarantined).toHaveLength(5);
    expect((await env.dovecot.list('Processed')).length).toBe(mailFixtures.length + bounces.length - 5);

    const outcome = async (id: string) => (await env.record(id))?.outcome;
    for (const id of [
      '202611231005112341298@163.com',
      'tencent_4A1B2C3D4E5F@qq.com',
      'big5-20261123-0001@netvigator.example',
      'html-only-0001@example.com',
      'CAF=forward-0001@mail.gmail.com',
    ])
      expect(await outcome(id)).toBe('case_created');
    expect(await outcome('6b1f0e2a8c4d4e8f9a0b1c2d3e4f5a6b@EXCH01.supplier.example')).toBe('auto_reply');
    expect(await outcome('autoreply-163-0001@163.com')).toBe('auto_reply');
    for (const id of [
      'malformed-1@example.com',
      'malformed-2@example.com',
      'charset-1@example.com',
      'empty-1@example.com',
    ])
      expect(await outcome(id)).toBe('quarantined');
    const cases = await env.db.dataSource.query(
      `SELECT channel, count(*)::int AS n FROM cases WHERE id <> $1 GROUP BY channel ORDER BY channel`,
      [replyTarget.id],
    );
    expect(cases).toEqual([
      { channel: 'email', n: 5 },
      { channel: 'fax', n: 6 },
    ]);
  });

  it('matches the GB2312 mail to the owner and unit, with the decoded text, Chinese intact', async () => {
    const rec = await env.record('202611231005112341298@163.com');
    const c = await env.db.dataSource.getRepository(CaseEntity).findOneByOrFail({ id: rec!.case_id! });
    expect(c).toMatchObject({
      channel: 'email',
      unitId,
      reporterName: '王喆',
      reporterEmail: 'wangzhe.owner@163.com',
      reporterPhone: '13812345678',
      matchStatus: 'matched',
      type: 'repair',
    });
    expect(c.number).toMatch(/^COBZS001-\d{4}-0000[12]$/);
    expect(c.description).toContain('卫生间天花板漏水已经一周了');
    // One record holds the mail: the stored bytes moved into the case's record, under the mailbox key.
    const records = await env.db.dataSource.query(
      `SELECT external_id, octet_length(raw_bytes) AS bytes, attempts FROM intake_records WHERE case_id = $1`,
      [c.id],
    );
    expect(records).toEqual([
      { external_id: expect.stringMatching(/^\d+:\d+$/), bytes: fixture('gb2312-foxmail.eml').length, attempts: 1 },
    ]);
    const html = await env.record('html-only-0001@example.com');
    const htmlCase = await env.db.dataSource.getRepository(CaseEntity).findOneByOrFail({ id: html!.case_id! });
    expect(htmlCase.description).toContain('小区东门口的路灯坏了一周了');
    expect(htmlCase.description).not.toMatch(/alert|script|onerror|javascript/);
  });

  it('makes fax cases with the document as main attachment, its page count and text layer', async () => {
    const faxes = await env.db.dataSource.query(
      `SELECT c.description, c.reporter_phone, a.role, a.filename, a.page_count, a.extracted_text IS NOT NULL AS has_text, r.raw->'fax'->>'gateway' AS gateway
         FROM cases c JOIN attachments a ON a.case_id = c.id JOIN intake_records r ON r.case_id = c.id WHERE c.channel = 'fax'`,
    );
    expect(faxes).toHaveLength(6);
    expect(faxes.every((f: { role: string }) => f.role === 'fax_document')).toBe(true);
    expect(
      faxes
        .map(
          (f: { gateway: string; page_count: number; has_text: boolean }) =>
            `${f.gateway} ${f.page_count} ${f.has_text}`,
        )
        .sort(),
    ).toEqual([
      'FusionPBX/FreeSWITCH 2 true',
      'FusionPBX/FreeSWITCH 4 false',
      'HylaFAX 2 true',
      'HylaFAX 3 false',
      'RingCentral 2 true',
      'eFax 3 false',
    ]);
    expect(faxes.find((f: { filename: string }) => f.filename === 'FAX_20261123_1795390000_3.pdf').description).toBe(
      '传真 3 页，来自 075583345678（eFax），请查看附件。',
    );
  });

  it('hands each bounce to the notifier as a job in the outbox, never as a case', async () => {
    const rows = await env.db.dataSource.query(
      `SELECT r.id, r.case_id, o.payload FROM intake_records r LEFT JOIN outbox o ON o.job_name = 'delivery-report-received' AND o.payload->>'intakeRecordId' = r.id::text WHERE r.outcome = 'bounce'`,
    );
    expect(rows).toHaveLength(bounces.length);
    for (const r of rows) expect(r).toMatchObject({ case_id: null, payload: { intakeRecordId: r.id } });
    // Parsed once, here: the notifier reads the report from the record.
    const exim = await env.db.dataSource.query(
      `SELECT delivery_report FROM intake_records WHERE message_id = 'E1P1ceB-000FL1-4q@e1.example.org'`,
    );
    expect(exim[0].delivery_report).toMatchObject({
      kind: 'bounce',
      format: 'x-failed-recipients',
      recipients: [{ address: 'kijitora@example.ed.jp', status: '5.7.0' }],
    });
  });

  it('adds replies to the case they answer (case number in the subject, or our Message-ID in In-Reply-To), with attachments', async () => {
    const before = await env.db.dataSource.getRepository(CaseEntity).count();
    await env.dovecot.appendMessages('INBOX', [fixture('reply-with-case-number.eml'), fixture('reply-in-thread.eml')]);
    await env.poll();
    expect(await env.db.dataSource.getRepository(CaseEntity).count()).toBe(before);
    expect(await env.record('reply-0001@example.com')).toMatchObject({
      outcome: 'added_to_case',
      case_id: replyTarget.id,
    });
    expect(await env.record('reply-0002@example.com')).toMatchObject({
      outcome: 'added_to_case',
      case_id: replyTarget.id,
    });
    const events = await env.db.dataSource
      .getRepository(CaseEventEntity)
      .find({ where: { caseId: replyTarget.id, kind: 'message_received' }, order: { id: 'ASC' } });
    const bySubject = events.find((e) => e.details.matchedBy === 'subject');
    expect(events.map((e) => [e.details.matchedBy, e.details.text]).sort()).toEqual([
      ['subject', '今天又漏了，附上照片。'],
      ['thread', '好的，周三上午有人在家。'],
    ]);
    const photo = await env.db.dataSource.getRepository(AttachmentEntity).findOneByOrFail({ caseId: replyTarget.id });
    expect(photo).toMatchObject({ filename: 'leak.png', role: 'attachment', contentType: 'image/png' });
    expect(bySubject?.details.attachments).toEqual([{ id: photo.id, filename: 'leak.png', role: 'attachment' }]);
  });

  it('refuses the same mail delivered twice: a duplicate record, no second case', async () => {
    const cases = await env.db.dataSource.getRepository(CaseEntity).count();
    await env.dovecot.appendMessage('INBOX', fixture('gb2312-foxmail.eml'));
    await env.poll();
    expect(await env.db.dataSource.getRepository(CaseEntity).count()).toBe(cases);
    const dup = await env.db.dataSource.query(
      `SELECT outcome, case_id FROM intake_records WHERE outcome = 'duplicate'`,
    );
    expect(dup).toEqual([
      { outcome: 'duplicate', case_id: (await env.record('202611231005112341298@163.com'))!.case_id },
    ]);
    expect(await env.dovecot.list('INBOX')).toEqual([]);
  });

  it('survives a new UIDVALIDITY: the cursor resyncs, what was stored is recognised, new mail becomes a case', async () => {
    const cases = await env.db.dataSource.getRepository(CaseEntity).count();
    await env.dovecot.setUidValidity('INBOX', 4_000_000_001);
    await env.dovecot.appendMessages('INBOX', [
      fixture('big5-owner.eml'),
      Buffer.from(
        'From: new@example.com\r\nDate: Mon, 23 Nov 2026 11:00:00 +0800\r\nMessage-ID: <after-resync@example.com>\r\nSubject: 垃圾桶满了\r\n\r\n5栋门口垃圾桶满了\r\n',
      ),
    ]);
    await env.poll();
    expect(await env.db.dataSource.getRepository(CaseEntity).count()).toBe(cases + 1);
    expect(await env.record('after-resync@example.com')).toMatchObject({ outcome: 'case_created' });
    expect(await env.db.dataSource.query(`SELECT uid_validity FROM mailbox_cursors WHERE mailbox = 'cs'`)).toEqual([
      { uid_validity: '4000000001' },
    ]);
  });

  it('picks new mail up through IDLE within seconds, without a resync', async () => {
    await env.dovecot.appendMessage(
      'INBOX',
      Buffer.from(
        'From: idle@example.com\r\nDate: Mon, 23 Nov 2026 11:00:00 +0800\r\nMessage-ID: <idle-1@example.com>\r\nSubject: 电梯停运\r\n\r\n2栋电梯停运\r\n',
      ),
    );
    await expectEventually(
      async () => expect(await env.record('idle-1@example.com')).toMatchObject({ outcome: 'case_created' }),
      { timeoutMs: 10_000 },
    );
    await expectEventually(async () => expect(await env.dovecot.list('INBOX')).toEqual([]), { timeoutMs: 5_000 });
  });

  it('keeps going past a 30 MB attachment and thousands of recipients: the first quarantined whole, the second a case', async () => {
    const big = Buffer.alloc(30 * 1024 * 1024, 7);
    const huge = Buffer.concat([
      Buffer.from(
        'From: big@example.com\r\nDate: Mon, 23 Nov 2026 11:00:00 +0800\r\nMessage-ID: <big-1@example.com>\r\nSubject: video\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee video\r\n--b\r\nContent-Type: video/mp4\r\nContent-Transfer-Encoding: base64\r\n\r\n',
      ),
      Buffer.from(big.toString('base64').replace(/.{76}/g, '$&\r\n')),
      Buffer.from('\r\n--b--\r\n'),
    ]);
    const to = Array.from({ length: 5000 }, (_, i) => `owner${i}@example.com`).join(',\r\n ');
    const many = Buffer.from(
      `From: many@example.com\r\nTo: ${to}\r\nDate: Mon, 23 Nov 2026 11:00:00 +0800\r\nMessage-ID: <many-1@example.com>\r\nSubject: 全体业主联名信\r\n\r\n电梯长期故障，请尽快解决\r\n`,
    );
    await env.dovecot.appendMessages('INBOX', [huge, many]);
    await env.poll();
    const rec = await env.record('big-1@example.com');
    expect(rec).toMatchObject({
      outcome: 'quarantined',
      outcome_reason: expect.stringMatching(/^oversized: \d+ bytes, more than MAIL_MAX_BYTES \(26214400\)/),
    });
    const stored = await env.db.dataSource.query(
      `SELECT octet_length(raw_bytes) AS n FROM intake_records WHERE id = $1`,
      [rec!.id],
    );
    expect(stored[0].n).toBe(huge.length);
    expect(await env.record('many-1@example.com')).toMatchObject({ outcome: 'case_created' });
    const raw = await env.db.dataSource.query(
      `SELECT raw->'toCount' AS n, jsonb_array_length(raw->'to') AS sample FROM intake_records WHERE message_id = 'many-1@example.com'`,
    );
    expect(raw).toEqual([{ n: 5000, sample: 20 }]);
    expect((await env.dovecot.list('Quarantine')).map((m) => m.messageId)).toContain('big-1@example.com');
  });

  it('quarantines a mail whose processing never finished ten times (a process-killing mail), instead of dying on it forever', async () => {
    await env.dovecot.appendMessage(
      'INBOX',
      Buffer.from(
        'From: poison@example.com\r\nDate: Mon, 23 Nov 2026 11:00:00 +0800\r\nMessage-ID: <poison-1@example.com>\r\nSubject: x\r\n\r\nx\r\n',
      ),
    );
    // As if ten earlier attempts had each been cut short by a crash: stored, counted, never decided.
    const [stored] = await env.db.dataSource.query(
      `INSERT INTO intake_records (channel, source, external_id, raw, raw_bytes, message_id, content_hash, received_at, attempts)
       VALUES ('email', 'imap:cs', 'stale:1', '{}', $1, 'poison-0@example.com', 'h', now(), 10) RETURNING id`,
      [Buffer.from('From: poison@example.com\r\nMessage-ID: <poison-0@example.com>\r\nSubject: y\r\n\r\ny\r\n')],
    );
    await env.poll();
    const rec = await env.db.dataSource.query(
      `SELECT outcome, outcome_reason, attempts FROM intake_records WHERE id = $1`,
      [stored.id],
    );
    expect(rec).toEqual([
      {
        outcome: 'quarantined',
        outcome_reason: expect.stringMatching(/^gave up after 10 attempts that did not finish/),
        attempts: 11,
      },
    ]);
    expect(await env.record('poison-1@example.com')).toMatchObject({ outcome: 'case_created', attempts: 1 });
  });
});
