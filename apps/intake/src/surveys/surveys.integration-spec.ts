import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { SurveyLinks, type AppConfig, type FakeClock } from '@kefu/shared';
import {
  createTestDatabase,
  factories,
  startTestApp,
  testConfig,
  tokenFor,
  useFakeClock,
  type TestDatabase,
} from '@kefu/shared/testing';
import { intakeApp } from '../intake.app';

/** A form body answering every 5-point question of the default questionnaire with `others`, and the three key ones as given. */
const form = (overall: number, buyAgain: number, recommend: number, others = 4, comments = '') => ({
  overall: String(overall),
  buy_again: String(buyAgain),
  recommend: String(recommend),
  house_quality: String(others),
  design: String(others),
  sales_service: String(others),
  handover_service: String(others),
  repair_service: String(others),
  property_service: String(others),
  amenities: String(others),
  comments,
});

describe('owner satisfaction surveys: the public page, the figures, a case from a low score', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let config: AppConfig;
  let clock: FakeClock;
  let rep: string;
  let manager: string;
  let links: SurveyLinks;
  let projectId: string;
  let buildingId: string;
  let roundId: string;
  let questionnaireId: string;
  const http = () => request(app.getHttpServer());
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  const q = <T>(sql: string, params: unknown[] = []) => db.dataSource.query<T[]>(sql, params);

  /** An invitation of the round (as the scheduler's scan makes them) and its link's path. */
  async function invitation(room: string, lifeStage = 'settling', expiresAt = new Date('2026-07-10T00:00:00Z')) {
    const unit = await factories.createUnit(db.dataSource, { buildingId, entrance: '1', room });
    const owner = await factories.createOwner(db.dataSource, { name: `业主${room}`, mobiles: ['13800138000'] });
    await factories.linkOwner(db.dataSource, owner.id, unit.id);
    const [inv] = await q<{ id: string }>(
      `INSERT INTO survey_invitations (round_id, owner_id, unit_id, project_id, questionnaire_id, occasion, due_on, life_stage, expires_at)
       VALUES ($1, $2, $3, $4, $5, 'movein-3m', '2026-06-10', $6, $7) RETURNING id`,
      [roundId, owner.id, unit.id, projectId, questionnaireId, lifeStage, expiresAt],
    );
    return { id: inv!.id, ownerId: owner.id, path: `/survey/${links.sign(inv!.id, expiresAt)}` };
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    config = testConfig({ DATABASE_URL: db.url, WEB_FORM_MAX_PER_IP_PER_HOUR: '40' });
    app = await startTestApp(intakeApp, config);
    clock = useFakeClock(app, '2026-06-12T10:00:00+08:00');
    links = new SurveyLinks(config.AUTH_TOKEN_SECRET);
    [rep, manager] = await Promise.all([tokenFor(app, 'cs_rep', '客服 陈敏'), tokenFor(app, 'dept_manager')]);
    projectId = (await factories.createProject(db.dataSource, { code: 'BHYT', name: '碧海云天' })).id;
    buildingId = (await factories.createBuilding(db.dataSource, { projectId, name: '1栋' })).id;
    [{ id: roundId }] = (await q<{ id: string }>(
      `INSERT INTO survey_rounds (project_id, month) VALUES ($1, '2026-06-01') RETURNING id`,
      [projectId],
    )) as [{ id: string }];
    [{ id: questionnaireId }] = (await q<{ id: string }>(
      `SELECT id FROM survey_questionnaires WHERE code = 'owner-satisfaction' AND version = 1`,
    )) as [{ id: string }];
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('shows the questionnaire in Chinese without JavaScript, and takes one answer per invitation', async () => {
    const inv = await invitation('101');
    const page = await http().get(inv.path).expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('lang="zh-CN"');
    expect(page.text).toContain('业主满意度调查');
    expect(page.text).toContain('1栋1单元101');
    expect(page.text).toContain('如果再次购房');
    expect(page.text).toContain(`action="${inv.path}"`);
    expect(page.text).not.toMatch(/<script(?![^>]*nonce)/); // the form works without script

    const ok = await http()
      .post(inv.path)
      .type('form')
      .send(form(5, 4, 4, 3, '电梯经常坏'))
      .expect(200);
    expect(ok.text).toContain('感谢您的参与');
    const [a] = await q<{ overall: number; buy_again: number; via: string; texts: object; scores: object }>(
      `SELECT overall, buy_again, via, texts, scores FROM survey_answers WHERE invitation_id = $1`,
      [inv.id],
    );
    expect(a).toMatchObject({ overall: 5, buy_again: 4, via: 'link', texts: { comments: '电梯经常坏' } });
    expect(a!.scores).toMatchObject({ house_quality: 3, amenities: 3 });
    const [i] = await q<{ answered_at: Date | null }>(`SELECT answered_at FROM survey_invitations WHERE id = $1`, [
      inv.id,
    ]);
    expect(i!.answered_at).not.toBeNull();

    // A second submit (the back button, a second tab) records nothing and says so; so does the page.
    const again = await http()
      .post(inv.path)
      .type('form')
      .send(form(1, 1, 1))
      .expect(409);
    expect(again.text).toContain('已经提交过');
    await http().get(inv.path).expect(409);
    const [n] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM survey_answers WHERE invitation_id = $1`, [
      inv.id,
    ]);
    expect(n!.n).toBe(1);
  });

  it('names each missing or bad answer and keeps what the owner chose', async () => {
    const inv = await invitation('102');
    const body = { ...form(4, 4, 4), buy_again: '7' } as Record<string, string>;
    delete body.overall;
    const res = await http().post(inv.path).type('form').send(body).expect(400);
    expect(res.text).toContain('请为「您对公司产品和服务的总体表现是否满意？」打分');
    expect(res.text).toContain('的分数应为 1 到 5');
    expect(res.text).toContain('href="#q-overall"');
    expect(res.text).toMatch(/name="recommend" value="4" checked/);
    expect(await q(`SELECT 1 FROM survey_answers WHERE invitation_id = $1`, [inv.id])).toEqual([]);
  });

  it('refuses an expired link (410) and a forged one (404) with a plain page', async () => {
    const old = await invitation('103', 'stable', new Date('2026-06-01T00:00:00Z'));
    const expired = await http().get(old.path).expect(410);
    expect(expired.text).toContain('问卷已截止');
    await http()
      .post(old.path)
      .type('form')
      .send(form(5, 5, 5))
      .expect(410);
    const forged = old.path.slice(0, -3) + (old.path.endsWith('AAA') ? 'BBB' : 'AAA');
    const bad = await http().get(forged).expect(404);
    expect(bad.text).toContain('链接无效');
    expect(bad.text).not.toContain('at '); // no stack trace
    await http().get('/survey/not-a-token').expect(404);
  });

  it('computes satisfaction and loyalty on a worked example, with the response rate against the 30 % target', async () => {
    await q(`DELETE FROM survey_invitations`);
    // Ten owners invited; six answer (the page or a paper form), four do not: response rate 60 %.
    const answers: Array<[number, number, number, string]> = [
      [5, 5, 5, 'settling'], // satisfied, loyal
      [4, 4, 4, 'settling'], // satisfied, loyal
      [4, 3, 5, 'stable'], // satisfied, not loyal
      [3, 5, 5, 'stable'], // not satisfied
      [2, 2, 1, 'established'], // not satisfied
      [5, 4, 4, 'established'], // satisfied, loyal
    ];
    const invs = [];
    for (const [k, [o, b, r, stage]] of answers.entries()) {
      const inv = await invitation(`2${k}0`, stage);
      invs.push(inv);
      if (k % 2)
        await http()
          .post(inv.path)
          .type('form')
          .send(form(o, b, r))
          .expect(200);
      else
        await http()
          .post(`/api/v1/surveys/invitations/${inv.id}/answers`)
          .set(as(rep))
          .send(form(o, b, r))
          .expect(201);
    }
    for (const room of ['301', '302', '303', '304']) await invitation(room, 'prospective');

    // Satisfied: 4 of 6 = 66.7 %; loyal: 3 of 6 = 50 %.
    const f = await http().get('/api/v1/surveys/figures').query({ by: 'estate' }).set(as(rep)).expect(200);
    expect(f.body.total).toMatchObject({
      invited: 10,
      respondents: 6,
      responseRate: 60,
      responseTarget: 30,
      targetMet: true,
      satisfied: 4,
      loyal: 3,
      satisfaction: 66.7,
      loyalty: 50,
    });
    expect(f.body.rows).toEqual([expect.objectContaining({ label: '碧海云天', satisfaction: 66.7, loyalty: 50 })]);

    const byStage = await http().get('/api/v1/surveys/figures').query({ by: 'life_stage' }).set(as(rep)).expect(200);
    const stageRows = byStage.body.rows as Array<{ label: string }>;
    const stage = (label: string) => stageRows.find((r) => r.label === label);
    expect(stage('磨合期')).toMatchObject({ respondents: 2, satisfaction: 100, loyalty: 100 });
    expect(stage('稳定期')).toMatchObject({ respondents: 2, satisfaction: 50, loyalty: 0 });
    expect(stage('老业主')).toMatchObject({ respondents: 2, satisfaction: 50, loyalty: 50 });
    expect(stage('准业主')).toMatchObject({ invited: 4, respondents: 0, responseRate: 0, satisfaction: null });

    const byMonth = await http().get('/api/v1/surveys/figures').query({ by: 'month' }).set(as(rep)).expect(200);
    expect(byMonth.body.rows).toEqual([expect.objectContaining({ label: '2026-06', satisfaction: 66.7 })]);

    const csv = await http().get('/api/v1/surveys/figures.csv').query({ by: 'estate' }).set(as(rep)).expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text).toContain('楼盘,邀请数,回收数,回收率%,满意人数,满意度%,忠诚人数,忠诚度%');
    expect(csv.text).toContain('碧海云天,10,6,60,4,66.7,3,50');
    expect(csv.text).toContain('合计,10,6,60,4,66.7,3,50');

    const rounds = await http().get('/api/v1/surveys/rounds').set(as(rep)).expect(200);
    expect(rounds.body.rounds).toEqual([
      expect.objectContaining({ id: roundId, month: '2026-06', invited: 10, respondents: 6, targetMet: true }),
    ]);
    // The dashboard's monthly report carries the month's owner satisfaction.
    const monthly = await http()
      .get('/api/v1/reports/monthly')
      .query({ month: '2026-06' })
      .set(as(manager))
      .expect(200);
    expect(monthly.body.ownerSurvey).toEqual({
      respondents: 6,
      satisfied: 4,
      loyal: 3,
      satisfaction: 4 / 6, // a fraction, like the monthly report's other rates
      loyalty: 0.5,
    });

    await http().get('/api/v1/surveys/figures').query({ by: 'building' }).set(as(rep)).expect(400);
    await http().get('/api/v1/surveys/figures').query({ from: '2026-07', to: '2026-06' }).set(as(rep)).expect(400);
  });

  it('lets staff see each answer and open one case from a low score, routed like any case', async () => {
    const low = await http().get('/api/v1/surveys/answers').query({ maxOverall: 2 }).set(as(rep)).expect(200);
    expect(low.body.answers).toHaveLength(1);
    const answer = low.body.answers[0];
    expect(answer).toMatchObject({ overall: 2, buyAgain: 2, recommend: 1, lifeStageName: '老业主', caseId: null });

    const detail = await http().get(`/api/v1/surveys/answers/${answer.id}`).set(as(rep)).expect(200);
    expect(detail.body.questionnaire.version).toBe(1);
    expect(detail.body.questionnaire.questions[0]).toMatchObject({ id: 'overall' });

    const opened = await http()
      .post(`/api/v1/surveys/answers/${answer.id}/case`)
      .set(as(rep))
      .send({ note: '业主对维修不满意，请工程部回访' })
      .expect(201);
    expect(opened.body).toMatchObject({ created: true, caseNumber: expect.stringMatching(/^BHYT-2026-\d{5}$/) });
    const again = await http().post(`/api/v1/surveys/answers/${answer.id}/case`).set(as(rep)).send({}).expect(201);
    expect(again.body).toMatchObject({ created: false, caseId: opened.body.caseId });

    const c = await http().get(`/api/v1/cases/${opened.body.caseId}`).set(as(rep)).expect(200);
    expect(c.body.description ?? c.body.case?.description).toContain('低分项');
    const after = await http().get(`/api/v1/surveys/answers/${answer.id}`).set(as(rep)).expect(200);
    expect(after.body).toMatchObject({ caseId: opened.body.caseId, caseNumber: opened.body.caseNumber });

    await http().post(`/api/v1/surveys/answers/${answer.id}/case`).set(as(rep)).send({ type: 'party' }).expect(400);
    await http()
      .post('/api/v1/surveys/answers/00000000-0000-4000-8000-000000000000/case')
      .set(as(rep))
      .send({})
      .expect(404);
  });

  it('keeps questionnaires as versions: a new version needs the three key questions; answers keep theirs', async () => {
    const bad = await http()
      .post('/api/v1/surveys/questionnaires')
      .set(as(manager))
      .send({ title: '业主满意度调查（2027版）', questions: [{ id: 'overall', type: 'scale', label: '总体' }] })
      .expect(400);
    expect(JSON.stringify(bad.body.error)).toContain('questions');
    await http().post('/api/v1/surveys/questionnaires').set(as(rep)).send({ title: 'x', questions: [] }).expect(403);
    const v2 = await http()
      .post('/api/v1/surveys/questionnaires')
      .set(as(manager))
      .send({
        title: '业主满意度调查（2027版）',
        questions: [
          { id: 'overall', type: 'scale', label: '总体满意度' },
          { id: 'buy_again', type: 'scale', label: '再次购买' },
          { id: 'recommend', type: 'scale', label: '推荐亲友' },
          { id: 'parking', type: 'scale', label: '停车' },
        ],
      })
      .expect(201);
    expect(v2.body).toMatchObject({ version: 2 });
    const list = await http().get('/api/v1/surveys/questionnaires').set(as(rep)).expect(200);
    expect(list.body.questionnaires.map((x: { version: number }) => x.version)).toEqual([2, 1]);
    // An invitation made with version 1 is still asked version 1.
    const inv = await invitation('401');
    const page = await http().get(inv.path).expect(200);
    expect(page.text).toContain('周边配套');
    expect(page.text).not.toContain('停车');
  });

  it("gives an owner's survey answers in their personal-data export and erases their comments on request", async () => {
    const admin = await tokenFor(app, 'admin');
    const inv = await invitation('601');
    await http()
      .post(inv.path)
      .type('form')
      .send(form(2, 2, 2, 2, '我的电话13800138000，请回电'))
      .expect(200);
    const exported = await http().get(`/api/v1/owners/${inv.ownerId}/personal-data`).set(as(admin)).expect(200);
    expect(exported.body.surveys).toEqual([
      expect.objectContaining({ occasion: 'movein-3m', texts: { comments: '我的电话13800138000，请回电' } }),
    ]);
    const erased = await http().post(`/api/v1/owners/${inv.ownerId}/erase`).set(as(admin)).send({}).expect(200);
    expect(JSON.stringify(erased.body.erased)).toContain('satisfaction surveys');
    const [a] = await q<{ texts: object; overall: number }>(
      `SELECT a.texts, a.overall FROM survey_answers a WHERE a.invitation_id = $1`,
      [inv.id],
    );
    expect(a).toEqual({ texts: {}, overall: 2 });
  });

  it('limits submits per address like the other public pages', async () => {
    const inv = await invitation('501');
    clock.set(new Date('2026-06-12T11:00:00+08:00'));
    let last = 200;
    for (let k = 0; k < 45 && last !== 429; k++) last = (await http().post(inv.path).type('form').send({})).status;
    expect(last).toBe(429);
  });
});
