import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createTestDatabase, startTestApp, testConfig, tokenFor, type TestDatabase } from '@kefu/shared/testing';
import { intakeApp } from '../../intake.app';

/** 索赔 (003 §9.4, §12.3; SM03-03): recorded steps, and no result before the customer and the leadership agree. */
describe('claims: responsibility, proposal, legal review, agreement, approval, charge-back', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let operator: string;
  let rep: string;
  let vice: string;
  const http = () => request(app.getHttpServer());
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(intakeApp, testConfig({ DATABASE_URL: db.url }));
    [operator, rep, vice] = await Promise.all([
      tokenFor(app, 'operator'),
      tokenFor(app, 'cs_rep', '客服 陈敏'),
      tokenFor(app, 'vice_gm', '主管副总 吴志强'),
    ]);
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  let departmentId: string | undefined;
  const newClaim = async (callerNumber: string) => {
    const call = await http()
      .post('/api/v1/hotline/calls')
      .set(as(operator))
      .send({
        callerNumber,
        startedAt: new Date().toISOString(),
        durationSeconds: 120,
        summary: '楼上漏水泡坏了我家木地板，要求赔偿',
        type: 'claim',
      })
      .expect(201);
    const id = (call.body.case as { id: string }).id;
    await http().post(`/api/v1/cases/${id}/accept`).set(as(rep)).send({}).expect(200);
    departmentId ??= (
      await db.dataSource.query<[{ id: string }]>(
        `INSERT INTO departments (code, name) VALUES ('CLM', '客户服务部') RETURNING id`,
      )
    )[0].id;
    await http().post(`/api/v1/cases/${id}/assign`).set(as(rep)).send({ departmentId }).expect(200);
    return id;
  };
  const step = (id: string, body: Record<string, unknown>, token = rep) =>
    http().post(`/api/v1/cases/${id}/claim-steps`).set(as(token)).send(body);
  const resolve = (id: string) =>
    http().post(`/api/v1/cases/${id}/result`).set(as(rep)).send({ result: '已按方案赔付 3,200 元' });

  it('refuses the result until the proposal on the table is agreed by the customer and approved by a vice GM (SM03-03)', async () => {
    const id = await newClaim('13844445555');
    await http()
      .post(`/api/v1/cases/${id}/assign`)
      .set(as(rep))
      .send({ departmentId: null, assigneeId: null })
      .expect(400);

    const early = await resolve(id);
    expect(early.status).toBe(409);
    expect(early.body.error.details.missing).toEqual(['判定责任 responsibility']);
    expect((await step(id, { step: 'proposal', amount: 3000, plan: '赔偿地板损失' })).status).toBe(409);

    await step(id, { step: 'responsibility', party: 'contractor', contractor: '某某防水工程公司' }).expect(201);
    await step(id, { step: 'proposal', amount: 3000, plan: '按地板面积赔偿' }).expect(201);
    await step(id, {
      step: 'legal_review',
      lawyer: '李律师',
      opinion: '依合同由施工方承担',
      supportsProposal: true,
    }).expect(201);
    // The customer refuses; a new proposal is made; the earlier approval would not count for it.
    await step(id, { step: 'owner_agreement', agreed: false, note: '金额太低' }).expect(201);
    await step(id, { step: 'proposal', amount: 3200, plan: '按地板面积及人工赔偿' }).expect(201);
    await step(id, { step: 'owner_agreement', agreed: true }).expect(201);

    const byRep = await step(id, { step: 'approval', approved: true });
    expect(byRep.status).toBe(403);
    const waiting = await resolve(id);
    expect(waiting.body.error.details.missing).toEqual(['领导批复 approval']);

    const approved = await step(id, { step: 'approval', approved: true, note: '同意' }, vice).expect(201);
    expect(approved.body).toMatchObject({
      proposal: { by: '客服 陈敏', details: { amount: 3200 } },
      ownerAgreement: { details: { agreed: true } },
      approval: { by: '主管副总 吴志强', details: { approved: true } },
      legalReview: null, // given for the refused proposal, not for this one
      missing: [],
    });
    await step(id, {
      step: 'charge_back',
      contractor: '某某防水工程公司',
      amount: 3200,
      noticeNumber: 'KK-2026-031',
    }).expect(201);
    await resolve(id).expect(200);

    const report = await http().get(`/api/v1/cases/${id}/claim`).set(as(rep)).expect(200);
    expect(report.body.history.map((h: { step: string }) => h.step)).toEqual([
      'responsibility',
      'proposal',
      'legal_review',
      'owner_agreement',
      'proposal',
      'owner_agreement',
      'approval',
      'charge_back',
    ]);
    expect(report.body.chargeBacks).toEqual([
      expect.objectContaining({
        details: { contractor: '某某防水工程公司', amount: 3200, noticeNumber: 'KK-2026-031' },
      }),
    ]);
    const detail = await http().get(`/api/v1/cases/${id}`).set(as(rep)).expect(200);
    expect(detail.body.events.map((e: { kind: string }) => e.kind)).toContain('claim_approval');
  });

  it("files a claim that is not the company's responsibility without a proposal; charge-backs need a contractor", async () => {
    const id = await newClaim('13844446666');
    await step(id, { step: 'responsibility', party: 'owner', note: '业主自行改造水管所致，已向业主解释' }).expect(201);
    expect((await step(id, { step: 'charge_back', contractor: 'X', amount: 1 })).status).toBe(409);
    await resolve(id).expect(200);
  });

  it('names the bad field, and refuses claim steps on a case that is not a claim', async () => {
    const id = await newClaim('13844447777');
    const bad = await step(id, { step: 'proposal', amount: -5, plan: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['amount', 'plan']);
    expect((await step(id, { step: 'bribe' })).status).toBe(400);

    const call = await http()
      .post('/api/v1/hotline/calls')
      .set(as(operator))
      .send({
        callerNumber: '13844448888',
        startedAt: new Date().toISOString(),
        durationSeconds: 30,
        summary: '咨询物业费',
      })
      .expect(201);
    const other = (call.body.case as { id: string }).id;
    expect((await step(other, { step: 'responsibility', party: 'company' })).status).toBe(409);
    expect((await http().get(`/api/v1/cases/${other}/claim`).set(as(rep))).status).toBe(404);
  });
});
