import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { CaseEntity, DEFAULT_ESCALATION_LEVELS, replaceEscalationChain } from '@kefu/shared';
import {
  createTestDatabase,
  factories,
  startTestApp,
  testConfig,
  tokenFor,
  type TestDatabase,
} from '@kefu/shared/testing';
import { intakeApp } from '../intake.app';

describe('case API', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let operator: string;
  let rep: string;
  let departmentId: string;
  const http = () => request(app.getHttpServer());
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(intakeApp, testConfig({ DATABASE_URL: db.url }));
    [operator, rep] = await Promise.all([tokenFor(app, 'operator'), tokenFor(app, 'cs_rep', '客服 陈敏')]);
    departmentId = (await factories.createDepartment(db.dataSource, { code: 'ENG', name: '工程部' })).id;
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  const logCall = async (summary: string, callerNumber = '13811112222') =>
    (
      await http()
        .post('/api/v1/hotline/calls')
        .set(as(operator))
        .send({ callerNumber, startedAt: new Date().toISOString(), durationSeconds: 60, summary })
        .expect(201)
    ).body.case as { id: string; number: string };
  const go = (id: string, step: string, body: Record<string, unknown>, token = rep) =>
    http().post(`/api/v1/cases/${id}/${step}`).set(as(token)).send(body);

  it('sends a written reply to the reporter (002 §7.4.1): once per reply, by the channel staff chose; a phone reply is recorded only', async () => {
    const ds = db.dataSource;
    const replies = (caseId: string) =>
      ds.query<
        Array<{
          id: string;
          idempotency_key: string;
          channel: string;
          recipient_type: string;
          variables: { replyText: string };
        }>
      >(
        `SELECT id, idempotency_key, channel, recipient_type, variables FROM notifications WHERE case_id = $1 AND kind = 'case_reply' ORDER BY created_at`,
        [caseId],
      );
    const { id, number } = await logCall('3栋电梯经常停运，投诉', '13822223333');
    await go(id, 'accept', {}).expect(200);
    const replied = await go(id, 'reply', {
      via: 'sms',
      content: '电梯已由维保单位检修，下周一起恢复正常运行。',
    }).expect(200);
    expect(replied.body.status).toBe('replied');
    const [first] = await replies(id);
    expect(first).toMatchObject({
      idempotency_key: `case-reply:${id}:1`,
      channel: 'sms',
      recipient_type: 'case_reporter',
      variables: {
        caseNumber: number,
        replyText: '电梯已由维保单位检修，下周一起恢复正常运行。',
        staffName: '客服 陈敏',
      },
    });
    // Its job is in the outbox with the row, in the same transaction; the timeline names the message.
    const outbox = await ds.query<unknown[]>(`SELECT 1 FROM outbox WHERE dedupe_key = $1`, [
      `notification-requested:${first!.id}`,
    ]);
    expect(outbox).toHaveLength(1);
    const detail = await http().get(`/api/v1/cases/${id}`).set(as(rep)).expect(200);
    const event = detail.body.events.find((e: { kind: string }) => e.kind === 'reply');
    expect(event.details).toMatchObject({ via: 'sms', notificationId: first!.id });

    // Reopened and answered again: a second message, by letter this time.
    await go(id, 'result', { result: '电梯已修复' }).expect(200);
    await go(id, 'return-visit', { satisfied: false, comments: '周末又停了' }).expect(200);
    await go(id, 'reply', { via: 'letter', content: '已更换电梯主板，并安排每周巡检。' }).expect(200);
    expect((await replies(id)).map((r) => `${r.idempotency_key}|${r.channel}`)).toEqual([
      `case-reply:${id}:1|sms`,
      `case-reply:${id}:2|letter`,
    ]);

    const byPhone = await logCall('小区垃圾清运不及时', '13822224444');
    await go(byPhone.id, 'accept', {}).expect(200);
    await go(byPhone.id, 'reply', { via: 'phone', content: '已电话告知业主：物业明早加派清运车。' }).expect(200);
    expect(await replies(byPhone.id)).toEqual([]);
  });

  it('answers an invalid complaint politely before filing it, when staff write the answer (003 §9.3.3)', async () => {
    const { id } = await logCall('隔壁小区的停车场收费太高', '13822225555');
    const rejected = await go(id, 'reject', {
      reason: '不属于本公司管理范围',
      reply: { via: 'sms', content: '您反映的停车场不属于本公司管理，建议联系该小区物业。' },
    }).expect(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', validity: 'invalid' });
    const rows = await db.dataSource.query<Array<{ idempotency_key: string; channel: string }>>(
      `SELECT idempotency_key, channel FROM notifications WHERE case_id = $1 AND kind = 'case_reply'`,
      [id],
    );
    expect(rows).toEqual([{ idempotency_key: `case-reply:${id}:invalid`, channel: 'sms' }]);
    // Without an answer it is filed silently (answered by phone).
    const quiet = await logCall('测试来电', '13822226666');
    await go(quiet.id, 'reject', { reason: '测试电话' }).expect(200);
    const none = await db.dataSource.query<unknown[]>(
      `SELECT 1 FROM notifications WHERE case_id = $1 AND kind = 'case_reply'`,
      [quiet.id],
    );
    expect(none).toEqual([]);
  });

  it('walks a complaint through its life, every step on the timeline with its actor; an unsatisfied return visit reopens it', async () => {
    const { id } = await logCall('物业保安态度恶劣，投诉');
    await go(id, 'accept', {}).expect(200);
    await go(id, 'assign', { departmentId }).expect(200);
    await go(id, 'reply', { via: 'phone', content: '已联系物业经理，三日内答复' }).expect(200);
    await go(id, 'result', { result: '保安已调岗' }).expect(200);
    const reopened = await go(id, 'return-visit', { satisfied: false, comments: '还是没人道歉' }).expect(200);
    expect(reopened.body.status).toBe('assigned');
    await go(id, 'result', { result: '物业经理上门致歉' }).expect(200);
    await go(id, 'return-visit', { satisfied: true }).expect(200);
    const closed = await go(id, 'close', {}).expect(200);
    expect(closed.body).toMatchObject({ status: 'closed', validity: 'valid', departmentId });

    const detail = await http().get(`/api/v1/cases/${id}`).set(as(rep)).expect(200);
    expect(detail.body.events.map((e: { kind: string }) => e.kind)).toEqual([
      'created',
      'accept',
      'assign',
      'reply',
      'resolve',
      'return_visit',
      'resolve',
      'return_visit',
      'close',
    ]);
    expect(detail.body.events.slice(1).every((e: { actor: string }) => e.actor === '客服 陈敏')).toBe(true);
    expect(detail.body.events[5].details).toMatchObject({
      satisfied: false,
      reopened: true,
      fromStatus: 'resolved',
      toStatus: 'assigned',
    });
    expect(detail.body.calls).toHaveLength(1);
    expect(detail.body.intakeRecords).toEqual([
      expect.objectContaining({ channel: 'hotline', outcome: 'case_created' }),
    ]);
    expect(detail.body.availableTransitions).toEqual([]);
  });

  it('refuses an illegal transition with 409 naming the current status, and changes nothing', async () => {
    const { id, number } = await logCall('小区绿化太少，建议增加');
    const res = await go(id, 'close', {}).expect(409);
    expect(res.body.error).toMatchObject({ code: 'illegal_transition', details: { status: 'new' } });
    expect(res.body.error.message).toContain(`案件 ${number} 当前为「新登记」，不能「结案」`);
    await go(id, 'result', { result: '已处理完毕' }).expect(409);
    expect((await db.dataSource.getRepository(CaseEntity).findOneByOrFail({ id })).status).toBe('new');
  });

  it("moves the promised reply date twice with the customer's agreement; the third attempt is refused and goes to the GM", async () => {
    const { id } = await logCall('地下车库渗水严重');
    await go(id, 'accept', {}).expect(200);
    const c0 = await db.dataSource.getRepository(CaseEntity).findOneByOrFail({ id });
    const later = (days: number) => new Date(c0.promisedReplyAt!.getTime() + days * 86_400_000).toISOString();
    await go(id, 'reply-date', { newDate: later(2), customerAgreed: true, reason: '需要勘查' }).expect(200);
    await go(id, 'reply-date', { newDate: later(1), customerAgreed: true, reason: '倒退' }).expect(400);
    const second = await go(id, 'reply-date', { newDate: later(5), customerAgreed: true, reason: '等待材料' }).expect(
      200,
    );
    expect(second.body).toMatchObject({ replyDateMoves: 2, escalationLevel: 0 });
    const third = await go(id, 'reply-date', { newDate: later(9), customerAgreed: true, reason: '再等等' }).expect(409);
    expect(third.body.error.message).toContain('已升级至总经理');
    const c = await db.dataSource.getRepository(CaseEntity).findOneByOrFail({ id });
    expect(c).toMatchObject({ replyDateMoves: 2, escalationLevel: 3 });
    expect(c.promisedReplyAt!.toISOString()).toBe(later(5));
    const noAgreement = await go(id, 'reply-date', { newDate: later(9), customerAgreed: false, reason: 'x' }).expect(
      400,
    );
    expect(noAgreement.body.error.details.fields[0].field).toBe('customerAgreed');
  });

  it('escalates one level at a time up to the GM; rejects as invalid only with a reason', async () => {
    const { id } = await logCall('问一下交房时间');
    for (const level of [1, 2, 3])
      expect((await go(id, 'escalate', { reason: '未解决' }).expect(200)).body.escalationLevel).toBe(level);
    await go(id, 'escalate', { reason: '再升' }).expect(409);
    await go(id, 'reject', {}).expect(400);
    await go(id, 'reject', { reason: '重复来电，已在另一案件处理' }).expect(200);
    expect((await go(id, 'close', {}).expect(200)).body.status).toBe('closed');
  });

  it("escalates by the company's own chain: its names on the timeline, its top the last level", async () => {
    const { id } = await logCall('售楼承诺的会所至今未建');
    await db.dataSource.transaction((m) =>
      replaceEscalationChain(
        m,
        ['市场部经理', '总经办客户代表', '责任部门经理', '主管副总', '总经理'].map((name) => ({
          name,
          resolver: 'role' as const,
          role: 'gm' as const,
          withinCaseDepartment: false,
          departmentId: null,
          staffId: null,
        })),
        null,
      ),
    );
    try {
      for (const level of [1, 2, 3, 4, 5])
        expect((await go(id, 'escalate', { reason: '未解决' }).expect(200)).body.escalationLevel).toBe(level);
      const top = await go(id, 'escalate', { reason: '再升' }).expect(409);
      expect(top.body.error.message).toContain('已在最高层级（总经理）');
      const events = await db.dataSource.query<Array<{ details: { to: number; toLabel: string } }>>(
        `SELECT details FROM case_events WHERE case_id = $1 AND kind = 'escalated' ORDER BY id`,
        [id],
      );
      expect(events.map((e) => [e.details.to, e.details.toLabel])).toEqual([
        [1, '市场部经理'],
        [2, '总经办客户代表'],
        [3, '责任部门经理'],
        [4, '主管副总'],
        [5, '总经理'],
      ]);
      // The case page names the level and shows the chain (the escalate dialog's hint).
      const detail = (await http().get(`/api/v1/cases/${id}`).set(as(rep)).expect(200)).body;
      expect(detail.case).toMatchObject({ escalationLevel: 5, escalationLevelName: '总经理' });
      expect(detail.escalationChain.map((l: { name: string }) => l.name)).toEqual([
        '市场部经理',
        '总经办客户代表',
        '责任部门经理',
        '主管副总',
        '总经理',
      ]);
    } finally {
      await db.dataSource.transaction((m) => replaceEscalationChain(m, DEFAULT_ESCALATION_LEVELS, null));
    }
  });

  it('lets only handlers move cases: an operator logs but may not accept', async () => {
    const { id } = await logCall('门禁卡失灵');
    await go(id, 'accept', {}, operator).expect(403);
  });

  it('lets staff override the classification, keeping the rules that fired', async () => {
    const { id } = await logCall('楼道灯坏了');
    const res = await http()
      .patch(`/api/v1/cases/${id}/classification`)
      .set(as(rep))
      .send({ type: 'complaint', severity: 'major' })
      .expect(200);
    expect(res.body).toMatchObject({ type: 'complaint', severity: 'major' });
    expect(res.body.classificationRules).toEqual(expect.arrayContaining(['manual.type', 'manual.severity']));
  });

  it('links a similar case from the same caller within 7 days as a possible duplicate, without merging', async () => {
    const a = await logCall('5栋电梯困人，物业半小时才到', '13855556666');
    const b = await logCall('5栋电梯又困人了，物业很久才到', '13855556666');
    expect(a.number).not.toBe(b.number);
    const detail = await http().get(`/api/v1/cases/${b.id}`).set(as(rep)).expect(200);
    expect(detail.body.possibleDuplicates).toEqual([expect.objectContaining({ caseId: a.id, direction: 'earlier' })]);
    const other = await http().get(`/api/v1/cases/${a.id}`).set(as(rep)).expect(200);
    expect(other.body.possibleDuplicates).toEqual([expect.objectContaining({ caseId: b.id, direction: 'later' })]);
  });

  it("lists a case's attachments and serves each as a download, never rendered", async () => {
    const { id } = await logCall('传真投诉，见附件');
    const html = Buffer.from('<html><script>alert(1)</script></html>');
    const [att] = await db.dataSource.query<[{ id: string }]>(
      `INSERT INTO attachments (case_id, role, filename, content_type, size, sha256, data) VALUES ($1, 'fax_document', '投诉 传真.html', 'text/html', $2, 'x', $3) RETURNING id`,
      [id, html.length, html],
    );
    const detail = await http().get(`/api/v1/cases/${id}`).set(as(rep)).expect(200);
    expect(detail.body.attachments).toEqual([
      expect.objectContaining({ id: att.id, role: 'fax_document', filename: '投诉 传真.html', size: html.length }),
    ]);
    expect(detail.body.attachments[0]).not.toHaveProperty('data');
    const dl = await http()
      .get(`/api/v1/cases/${id}/attachments/${att.id}`)
      .set(as(rep))
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(Buffer.compare(dl.body as Buffer, html)).toBe(0);
    expect(dl.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'content-disposition': expect.stringMatching(/^attachment; filename\*=UTF-8''/),
    });
    const other = await logCall('别的案件');
    await http().get(`/api/v1/cases/${other.id}/attachments/${att.id}`).set(as(rep)).expect(404);
    await http().get(`/api/v1/cases/${id}/attachments/${att.id}`).expect(401);
  });

  it("shows the case's notifications with their receipts (recipient masked, letter sign-off) and its reminders with who acknowledged them", async () => {
    const { id } = await logCall('外墙渗水，要求书面答复', '13812341234');
    const manager = await factories.createStaff(db.dataSource, { role: 'dept_manager', name: '工程部 王经理' });
    const [sms] = await db.dataSource.query<[{ id: string }]>(
      `INSERT INTO notifications (idempotency_key, kind, channel, recipient_type, case_id, status, attempts, to_address, body, provider_id, created_at, sent_at, delivered_at)
       VALUES ($1, 'case_acknowledgement', 'sms', 'case_reporter', $2, 'delivered', 1, '+8613812341234', '您的投诉已受理', 'SM0001', now() - interval '10 minutes', now() - interval '9 minutes', now() - interval '8 minutes') RETURNING id`,
      [`test-ack:${id}`, id],
    );
    await db.dataSource.query(
      `INSERT INTO notification_receipts (notification_id, occurred_at, status, source, detail, raw) VALUES
         ($1, now() - interval '9 minutes', 'sent', 'twilio', NULL, '{"MessageSid": "SM0001"}'),
         ($1, now() - interval '8 minutes', 'delivered', 'twilio', 'delivered to 13812341234', '{"MessageSid": "SM0001"}')`,
      [sms.id],
    );
    const [mail] = await db.dataSource.query<[{ id: string }]>(
      `INSERT INTO notifications (idempotency_key, kind, channel, recipient_type, case_id, status, to_address, created_at) VALUES ($1, 'case_reply', 'email', 'case_reporter', $2, 'bounced', 'lin.owner@example.com', now() - interval '7 minutes') RETURNING id`,
      [`test-reply:${id}`, id],
    );
    await db.dataSource.query(
      `INSERT INTO notification_receipts (notification_id, occurred_at, status, source, detail) VALUES ($1, now() - interval '6 minutes', 'bounced', 'dsn', '5.1.1 <lin.owner@example.com>: user unknown')`,
      [mail.id],
    );
    const [letter] = await db.dataSource.query<[{ id: string }]>(
      `INSERT INTO notifications (idempotency_key, kind, channel, recipient_type, case_id, status, to_address, fallback_of_id, created_at, delivered_at)
       VALUES ($1, 'case_reply', 'letter', 'case_reporter', $2, 'signed_for', '广东省深圳市南山区科技园路 8 号 3 栋 1201', $3, now() - interval '5 minutes', now() - interval '1 minute') RETURNING id`,
      [`test-letter:${id}`, id, mail.id],
    );
    await db.dataSource.query(
      `INSERT INTO letters (notification_id, reference, recipient_name, postal_address, pdf, pdf_size, pdf_sha256, status, waybill, signer, posted_at, signed_at)
       VALUES ($1, 'L-TEST-0001', '林女士', '广东省深圳市南山区科技园路 8 号 3 栋 1201', '\x25504446', 4, 'x', 'signed_for', 'EA123456789CN', '林女士', now() - interval '4 minutes', now() - interval '1 minute')`,
      [letter.id],
    );
    await db.dataSource.query(
      `INSERT INTO notification_receipts (notification_id, occurred_at, status, source, detail) VALUES ($1, now() - interval '1 minute', 'signed_for', 'ems', '妥投 深圳南山 签收人：林女士')`,
      [letter.id],
    );
    const [deadline] = await db.dataSource.query<[{ id: string }]>(
      `INSERT INTO case_deadlines (case_id, step, due_at, responsible_staff_id) VALUES ($1, 'firstReply', now() + interval '1 day', $2) RETURNING id`,
      [id, manager.id],
    );
    await db.dataSource.query(
      `INSERT INTO reminders (deadline_id, case_id, kind, level, send_at, sent_at, recipient_staff_id, ack_due_at, acknowledged_at, acknowledged_by_id, acknowledged_via)
       VALUES ($1, $2, 'before', 0, now() - interval '3 minutes', now() - interval '3 minutes', $3, now() + interval '2 hours', now() - interval '2 minutes', $3, 'console'),
              ($1, $2, 'escalation', 1, now() + interval '3 hours', NULL, NULL, NULL, NULL, NULL, NULL)`,
      [deadline.id, id, manager.id],
    );

    const detail = await http().get(`/api/v1/cases/${id}`).set(as(rep)).expect(200);
    // Intake's own acknowledgement to the caller (still pending: no notifier here) comes last, by creation time.
    expect(detail.body.notifications).toHaveLength(4);
    const [n1, n2, n3, own] = detail.body.notifications;
    expect(own).toMatchObject({ kind: 'case_acknowledgement', status: 'pending', receipts: [], letter: null });
    expect(n1).toMatchObject({
      id: sms.id,
      kind: 'case_acknowledgement',
      channel: 'sms',
      status: 'delivered',
      providerId: 'SM0001',
      recipient: { type: 'case_reporter', name: null, address: '138****1234' },
      sentAt: expect.any(String),
      deliveredAt: expect.any(String),
      letter: null,
      receipts: [
        { at: expect.any(String), status: 'sent', source: 'twilio', providerId: 'SM0001', details: null },
        {
          at: expect.any(String),
          status: 'delivered',
          source: 'twilio',
          providerId: 'SM0001',
          details: 'delivered to 138****1234',
        },
      ],
    });
    expect(n2).toMatchObject({
      channel: 'email',
      status: 'bounced',
      recipient: { address: 'l***@example.com' },
      receipts: [{ status: 'bounced', source: 'dsn', details: '5.1.1 <l***@example.com>: user unknown' }],
    });
    expect(n3).toMatchObject({
      channel: 'letter',
      status: 'signed_for',
      fallbackOfId: mail.id,
      recipient: { address: '广东省深圳市****' },
      letter: {
        reference: 'L-TEST-0001',
        waybill: 'EA123456789CN',
        status: 'signed_for',
        signer: '林女士',
        signedAt: expect.any(String),
      },
      receipts: [{ status: 'signed_for', source: 'ems', details: '妥投 深圳南山 签收人：林女士' }],
    });
    const body = JSON.stringify(detail.body.notifications);
    for (const secret of ['13812341234', 'lin.owner', '科技园路', '您的投诉已受理']) expect(body).not.toContain(secret);

    expect(detail.body.reminders).toEqual([
      expect.objectContaining({
        step: 'firstReply',
        kind: 'before',
        escalationLevel: 0,
        sentAt: expect.any(String),
        recipientId: manager.id,
        recipientName: '工程部 王经理',
        acknowledgedAt: expect.any(String),
        acknowledgedById: manager.id,
        acknowledgedByName: '工程部 王经理',
        acknowledgedVia: 'console',
        dueAt: expect.any(String),
      }),
      expect.objectContaining({
        kind: 'escalation',
        escalationLevel: 1,
        sentAt: null,
        recipientName: null,
        acknowledgedAt: null,
      }),
    ]);
    expect(detail.body.assignTo).toBeNull(); // a new case is accepted first

    await go(id, 'accept', {}).expect(200);
    const accepted = await http().get(`/api/v1/cases/${id}`).set(as(rep)).expect(200);
    expect(accepted.body.assignTo.departments).toEqual(expect.arrayContaining([{ id: departmentId, name: '工程部' }]));
    expect(accepted.body.assignTo.staff).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: manager.id, name: '工程部 王经理', role: 'dept_manager' }),
      ]),
    );
    expect(accepted.body.assignTo.staff.map((p: { role: string }) => p.role)).not.toContain('operator');
    // An operator may read the case but not assign it, so the colleagues list is not theirs to see.
    expect((await http().get(`/api/v1/cases/${id}`).set(as(operator)).expect(200)).body.assignTo).toBeNull();
    await go(id, 'assign', { departmentId, assigneeId: manager.id }).expect(200);
    const assigned = await http().get(`/api/v1/cases/${id}`).set(as(rep)).expect(200);
    expect(assigned.body.names).toEqual({ [departmentId]: '工程部', [manager.id]: '工程部 王经理' });
    const bare = await http()
      .get(`/api/v1/cases/${(await factories.createCase(db.dataSource, { description: '没有通知的案件' })).id}`)
      .set(as(rep))
      .expect(200);
    expect(bare.body).toMatchObject({ notifications: [], reminders: [] });
  });

  it('lists with filters and paging', async () => {
    const page = await http().get('/api/v1/cases?pageSize=2&page=1').set(as(operator)).expect(200);
    expect(page.body.items).toHaveLength(2);
    expect(page.body.total).toBeGreaterThanOrEqual(7);
    const closed = await http().get('/api/v1/cases?status=closed').set(as(rep)).expect(200);
    expect(closed.body.items.every((c: { status: string }) => c.status === 'closed')).toBe(true);
    const text = await http()
      .get(`/api/v1/cases?q=${encodeURIComponent('门禁卡')}`)
      .set(as(rep))
      .expect(200);
    expect(text.body.items.map((c: { summary: string }) => c.summary)).toEqual(['门禁卡失灵']);
    await db.dataSource.query(
      `UPDATE cases SET promised_reply_at = now() - interval '1 hour' WHERE description = '门禁卡失灵'`,
    );
    const overdue = await http().get('/api/v1/cases?overdue=true').set(as(rep)).expect(200);
    expect(overdue.body.items.map((c: { summary: string; overdue: boolean }) => [c.summary, c.overdue])).toEqual([
      ['门禁卡失灵', true],
    ]);
    const bad = await http().get('/api/v1/cases?status=lost&pageSize=1000').set(as(rep)).expect(400);
    expect(bad.body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'pageSize',
      'status.0',
    ]);
    await http().get('/api/v1/cases/not-a-uuid').set(as(rep)).expect(400);
  });
});
