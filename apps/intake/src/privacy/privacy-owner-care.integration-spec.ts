import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import {
  createTestDatabase,
  factories,
  startTestApp,
  testConfig,
  tokenFor,
  type TestDatabase,
} from '@kefu/shared/testing';
import { intakeApp } from '../intake.app';
import type { PersonalDataExport } from './privacy-export.service';

/**
 * Owner care in an owner's personal-data export: their marketing opt-out and move-in date, every survey score and text
 * with the case a low score opened, the visits planned to them, and each estate-wide notice they were on the list of
 * with its sign-off record (how, when, delivered, the EMS signer) — and nothing about the other owner on that list.
 */
describe("owners' personal data: owner care in the export", () => {
  let db: TestDatabase;
  let app: INestApplication;
  const q = <T>(sql: string, params: unknown[] = []) => db.dataSource.query<T[]>(sql, params);

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(intakeApp, testConfig({ DATABASE_URL: db.url }));
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('has the opt-out, surveys answered, planned visits and notice sign-offs about the owner, none of others', async () => {
    const admin = await tokenFor(app, 'admin');
    const unit = await factories.createUnit(db.dataSource);
    const other = await factories.createUnit(db.dataSource, { projectId: unit.projectId, buildingId: unit.buildingId });
    const owner = await factories.createOwner(db.dataSource, { name: '钱多多', mobiles: ['13855556666'] });
    const neighbour = await factories.createOwner(db.dataSource, { name: '孙小美', mobiles: ['13977778888'] });
    await q(`UPDATE owners SET marketing_opt_out = true WHERE id = $1`, [owner.id]);
    await factories.linkOwner(db.dataSource, owner.id, unit.id);
    await factories.linkOwner(db.dataSource, neighbour.id, other.id);
    await q(`UPDATE owner_units SET moved_in_on = '2025-03-01' WHERE owner_id = $1`, [owner.id]);

    // A survey answered with low scores that opened a case.
    const c = await factories.createCase(db.dataSource, { ownerId: owner.id });
    const [{ id: questionnaireId }] = (await q<{ id: string }>(
      `SELECT id FROM survey_questionnaires ORDER BY version LIMIT 1`,
    )) as [{ id: string }];
    const [round] = await q<{ id: string }>(
      `INSERT INTO survey_rounds (project_id, month) VALUES ($1, '2026-06-01') RETURNING id`,
      [unit.projectId],
    );
    const [inv] = await q<{ id: string }>(
      `INSERT INTO survey_invitations (round_id, owner_id, unit_id, project_id, questionnaire_id, occasion, due_on, life_stage, expires_at, answered_at)
       VALUES ($1, $2, $3, $4, $5, 'movein-1y', '2026-06-01', 'stable', '2026-08-01', '2026-06-05') RETURNING id`,
      [round!.id, owner.id, unit.id, unit.projectId, questionnaireId],
    );
    await q(
      `INSERT INTO survey_answers (invitation_id, questionnaire_id, overall, buy_again, recommend, scores, texts, via, case_id)
       VALUES ($1, $2, 2, 1, 2, '{"q4": 2}', '{"comments": "电梯常坏"}', 'link', $3)`,
      [inv!.id, questionnaireId, c.id],
    );

    // A routine visit planned to them.
    const [plan] = await q<{ id: string }>(
      `INSERT INTO visit_plans (project_id, year, starts_on, interval_months, generated_at)
       VALUES ($1, 2026, '2026-01-01', 4, now()) RETURNING id`,
      [unit.projectId],
    );
    await q(
      `INSERT INTO owner_visits (plan_id, project_id, unit_id, owner_id, kind, seq, due_on)
       VALUES ($1, $2, $3, $4, 'routine', 1, '2026-05-01'), ($1, $2, $5, $6, 'routine', 1, '2026-05-01')`,
      [plan!.id, unit.projectId, unit.id, owner.id, other.id, neighbour.id],
    );

    // A handover notice to both: an EMS letter signed for by the owner's family; the neighbour left out (no contact).
    const [notice] = await q<{ id: string }>(
      `INSERT INTO notices (project_id, kind, title, body, status, recipients, excluded, sent_at)
       VALUES ($1, 'handover', '交付通知书', '请于7月1日前来办理交付', 'done', 1, 1, now()) RETURNING id`,
      [unit.projectId],
    );
    await q(
      `INSERT INTO notice_recipients (notice_id, owner_id, unit_id, seq, excluded)
       VALUES ($1, $2, $3, 1, NULL), ($1, $4, $5, 2, 'no_contact')`,
      [notice!.id, owner.id, unit.id, neighbour.id, other.id],
    );
    const [n] = await q<{ id: string }>(
      `INSERT INTO notifications (idempotency_key, kind, channel, recipient_type, owner_id, status, to_address, body, source_type, source_id, sent_at)
       VALUES (gen_random_uuid()::text, 'estate_notice', 'letter', 'owner', $1, 'signed_for', '深圳市南山区1号', '交付通知书', 'notice', $2, now())
       RETURNING id`,
      [owner.id, notice!.id],
    );
    await q(
      `INSERT INTO letters (notification_id, reference, recipient_name, postal_address, pdf, pdf_size, pdf_sha256, status, signer, signed_at)
       VALUES ($1::uuid, 'KF' || substr(replace($1::text, '-', ''), 1, 12), '钱多多', '深圳市南山区1号', '\\x25504446', 4, 'x', 'signed_for', '钱妈妈', now())`,
      [n!.id],
    );

    const res = await request(app.getHttpServer())
      .get(`/api/v1/owners/${owner.id}/personal-data`)
      .set({ Authorization: `Bearer ${admin}` })
      .expect(200);
    const data = res.body as PersonalDataExport;
    expect(data.owner).toMatchObject({ marketingOptOut: true });
    expect(data.units).toEqual([expect.objectContaining({ movedInOn: '2025-03-01' })]);
    expect(data.surveys).toEqual([
      expect.objectContaining({
        occasion: 'movein-1y',
        dueOn: '2026-06-01',
        overall: 2,
        buyAgain: 1,
        recommend: 2,
        scores: { q4: 2 },
        texts: { comments: '电梯常坏' },
        via: 'link',
        caseNumber: c.number,
      }),
    ]);
    expect(data.plannedVisits).toEqual([
      expect.objectContaining({ kind: 'routine', dueOn: '2026-05-01', status: 'planned' }),
    ]);
    expect(data.notices).toEqual([
      expect.objectContaining({
        noticeId: notice!.id,
        kind: 'handover',
        title: '交付通知书',
        leftOut: null,
        signOff: [expect.objectContaining({ channel: 'letter', status: 'signed_for', signer: '钱妈妈' })],
      }),
    ]);
    const text = JSON.stringify(data);
    for (const v of [neighbour.id, '孙小美', '13977778888', other.id, 'no_contact']) expect(text).not.toContain(v);
  });
});
