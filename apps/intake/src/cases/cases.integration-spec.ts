import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { CaseEntity } from '@kefu/shared';
import { createTestDatabase, factories, startTestApp, testConfig, tokenFor, type TestDatabase } from '@kefu/shared/testing';
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
    (await http().post('/api/v1/hotline/calls').set(as(operator)).send({ callerNumber, startedAt: new Date().toISOString(), durationSeconds: 60, summary }).expect(201)).body.case as { id: string; number: string };
  const go = (id: string, step: string, body: Record<string, unknown>, token = rep) => http().post(`/api/v1/cases/${id}/${step}`).set(as(token)).send(body);

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
    expect(detail.body.events.map((e: { kind: string }) => e.kind)).toEqual(['created', 'accept', 'assign', 'reply', 'resolve', 'return_visit', 'resolve', 'return_visit', 'close']);
    expect(detail.body.events.slice(1).every((e: { actor: string }) => e.actor === '客服 陈敏')).toBe(true);
    expect(detail.body.events[5].details).toMatchObject({ satisfied: false, reopened: true, fromStatus: 'resolved', toStatus: 'assigned' });
    expect(detail.body.calls).toHaveLength(1);
    expect(detail.body.intakeRecords).toEqual([expect.objectContaining({ channel: 'hotline', outcome: 'case_created' })]);
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

  it('moves the promised reply date twice with the customer\'s agreement; the third attempt is refused and goes to the GM', async () => {
    const { id } = await logCall('地下车库渗水严重');
    await go(id, 'accept', {}).expect(200);
    const c0 = await db.dataSource.getRepository(CaseEntity).findOneByOrFail({ id });
    const later = (days: number) => new Date(c0.promisedReplyAt!.getTime() + days * 86_400_000).toISOString();
    await go(id, 'reply-date', { newDate: later(2), customerAgreed: true, reason: '需要勘查' }).expect(200);
    await go(id, 'reply-date', { newDate: later(1), customerAgreed: true, reason: '倒退' }).expect(400);
    const second = await go(id, 'reply-date', { newDate: later(5), customerAgreed: true, reason: '等待材料' }).expect(200);
    expect(second.body).toMatchObject({ replyDateMoves: 2, escalationLevel: 0 });
    const third = await go(id, 'reply-date', { newDate: later(9), customerAgreed: true, reason: '再等等' }).expect(409);
    expect(third.body.error.message).toContain('已升级至总经理');
    const c = await db.dataSource.getRepository(CaseEntity).findOneByOrFail({ id });
    expect(c).toMatchObject({ replyDateMoves: 2, escalationLevel: 3 });
    expect(c.promisedReplyAt!.toISOString()).toBe(later(5));
    const noAgreement = await go(id, 'reply-date', { newDate: later(9), customerAgreed: false, reason: 'x' }).expect(400);
    expect(noAgreement.body.error.details.fields[0].field).toBe('customerAgreed');
  });

  it('escalates one level at a time up to the GM; rejects as invalid only with a reason', async () => {
    const { id } = await logCall('问一下交房时间');
    for (const level of [1, 2, 3]) expect((await go(id, 'escalate', { reason: '未解决' }).expect(200)).body.escalationLevel).toBe(level);
    await go(id, 'escalate', { reason: '再升' }).expect(409);
    await go(id, 'reject', {}).expect(400);
    await go(id, 'reject', { reason: '重复来电，已在另一案件处理' }).expect(200);
    expect((await go(id, 'close', {}).expect(200)).body.status).toBe('closed');
  });

  it('lets only handlers move cases: an operator logs but may not accept', async () => {
    const { id } = await logCall('门禁卡失灵');
    await go(id, 'accept', {}, operator).expect(403);
  });

  it('lets staff override the classification, keeping the rules that fired', async () => {
    const { id } = await logCall('楼道灯坏了');
    const res = await http().patch(`/api/v1/cases/${id}/classification`).set(as(rep)).send({ type: 'complaint', severity: 'major' }).expect(200);
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

  it('lists a case\'s attachments and serves each as a download, never rendered', async () => {
    const { id } = await logCall('传真投诉，见附件');
    const html = Buffer.from('<html><script>alert(1)</script></html>');
    const [att] = await db.dataSource.query<[{ id: string }]>(
      `INSERT INTO attachments (case_id, role, filename, content_type, size, sha256, data) VALUES ($1, 'fax_document', '投诉 传真.html', 'text/html', $2, 'x', $3) RETURNING id`,
      [id, html.length, html],
    );
    const detail = await http().get(`/api/v1/cases/${id}`).set(as(rep)).expect(200);
    expect(detail.body.attachments).toEqual([expect.objectContaining({ id: att.id, role: 'fax_document', filename: '投诉 传真.html', size: html.length })]);
    expect(detail.body.attachments[0]).not.toHaveProperty('data');
    const dl = await http().get(`/api/v1/cases/${id}/attachments/${att.id}`).set(as(rep)).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    expect(Buffer.compare(dl.body as Buffer, html)).toBe(0);
    expect(dl.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'content-disposition': expect.stringMatching(/^attachment; filename\*=UTF-8''/) });
    const other = await logCall('别的案件');
    await http().get(`/api/v1/cases/${other.id}/attachments/${att.id}`).set(as(rep)).expect(404);
    await http().get(`/api/v1/cases/${id}/attachments/${att.id}`).expect(401);
  });

  it('lists with filters and paging', async () => {
    const page = await http().get('/api/v1/cases?pageSize=2&page=1').set(as(operator)).expect(200);
    expect(page.body.items).toHaveLength(2);
    expect(page.body.total).toBeGreaterThanOrEqual(7);
    const closed = await http().get('/api/v1/cases?status=closed').set(as(rep)).expect(200);
    expect(closed.body.items.every((c: { status: string }) => c.status === 'closed')).toBe(true);
    const text = await http().get(`/api/v1/cases?q=${encodeURIComponent('门禁卡')}`).set(as(rep)).expect(200);
    expect(text.body.items.map((c: { summary: string }) => c.summary)).toEqual(['门禁卡失灵']);
    await db.dataSource.query(`UPDATE cases SET promised_reply_at = now() - interval '1 hour' WHERE description = '门禁卡失灵'`);
    const overdue = await http().get('/api/v1/cases?overdue=true').set(as(rep)).expect(200);
    expect(overdue.body.items.map((c: { summary: string; overdue: boolean }) => [c.summary, c.overdue])).toEqual([['门禁卡失灵', true]]);
    const bad = await http().get('/api/v1/cases?status=lost&pageSize=1000').set(as(rep)).expect(400);
    expect(bad.body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['pageSize', 'status.0']);
    await http().get('/api/v1/cases/not-a-uuid').set(as(rep)).expect(400);
  });
});
