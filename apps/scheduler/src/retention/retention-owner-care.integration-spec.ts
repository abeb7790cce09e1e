import type { INestApplication } from '@nestjs/common';
import { JobRouter } from '@kefu/shared';
import {
  createTestDatabase,
  factories,
  startTestApp,
  testConfig,
  useFakeClock,
  type TestDatabase,
} from '@kefu/shared/testing';
import { schedulerApp } from '../scheduler.app';
import { RETENTION_PURGE_TASK, type RetentionRunView } from './retention-purge.service';

/**
 * Owner care's records in the retention purge: survey invitations with their answers 2 years after their round's month
 * ended, then the empty round; an estate-wide notice with its recipient list (the sign-off record) 2 years after it
 * finished, never while it is sending.
 */
describe('records retention: surveys and estate-wide notices', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const purge = () => app.get(JobRouter).runTask(RETENTION_PURGE_TASK) as Promise<RetentionRunView>;
  const q = <T>(sql: string, params: unknown[] = []) => db.dataSource.query<T[]>(sql, params);
  const ago = async (interval: string, plus = '0 seconds'): Promise<Date> =>
    (await q<{ t: Date }>(`SELECT $1::timestamptz - $2::interval + $3::interval AS t`, [now, interval, plus]))[0]!.t;
  const exists = async (table: string, id: string) =>
    (await q<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE id = $1`, [id]))[0]!.n === 1;
  /** The first day of the month `months` before this one, in the business time zone (Asia/Shanghai). */
  const monthAgo = async (months: number): Promise<string> =>
    (
      await q<{ d: string }>(
        `SELECT to_char(date_trunc('month', ($1::timestamptz AT TIME ZONE 'Asia/Shanghai')::date - make_interval(months => $2)), 'YYYY-MM-DD') AS d`,
        [now, months],
      )
    )[0]!.d;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(schedulerApp, testConfig({ DATABASE_URL: db.url, BUSINESS_TIME_ZONE: 'Asia/Shanghai' }));
    useFakeClock(app, now);
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('surveys go 2 years after their round’s month ended, notices 2 years after they finished; not a day before', async () => {
    const unit = await factories.createUnit(db.dataSource);
    const owner = await factories.createOwner(db.dataSource);
    const [{ id: questionnaireId }] = (await q<{ id: string }>(
      `SELECT id FROM survey_questionnaires ORDER BY version LIMIT 1`,
    )) as [{ id: string }];
    const round = async (month: string) =>
      (
        await q<{ id: string }>(`INSERT INTO survey_rounds (project_id, month) VALUES ($1, $2) RETURNING id`, [
          unit.projectId,
          month,
        ])
      )[0]!.id;
    const invitation = async (roundId: string, occasion: string, answered: boolean) => {
      const [i] = await q<{ id: string }>(
        `INSERT INTO survey_invitations (round_id, owner_id, unit_id, project_id, questionnaire_id, occasion, due_on, life_stage, expires_at, answered_at)
         SELECT $1, $2, $3, $4, $5, $6, r.month, 'stable', r.month + interval '2 months', $7 FROM survey_rounds r WHERE r.id = $1
         RETURNING id`,
        [roundId, owner.id, unit.id, unit.projectId, questionnaireId, occasion, answered ? now : null],
      );
      if (answered)
        await q(
          `INSERT INTO survey_answers (invitation_id, questionnaire_id, overall, buy_again, recommend, scores, texts, via)
           VALUES ($1, $2, 5, 4, 4, '{}', '{"comments": "物业很好"}', 'link')`,
          [i!.id, questionnaireId],
        );
      return i!.id;
    };
    // A round's month ended 2 years ago (its month began 25 months ago) is due; the month after it is not.
    const oldRound = await round(await monthAgo(25));
    const oldAnswered = await invitation(oldRound, 'year1', true);
    const oldUnanswered = await invitation(oldRound, 'year2', false);
    const recentRound = await round(await monthAgo(24));
    const recentAnswered = await invitation(recentRound, 'year3', true);

    const notice = async (status: string, finishedAt: Date | null, updatedAt: Date) => {
      const [n] = await q<{ id: string }>(
        `INSERT INTO notices (project_id, kind, title, body, status, recipients, finished_at, updated_at)
         VALUES ($1, 'holiday_greeting', '春节问候', '新春快乐', $2, 1, $3, $4) RETURNING id`,
        [unit.projectId, status, finishedAt, updatedAt],
      );
      await q(`INSERT INTO notice_recipients (notice_id, owner_id, unit_id, seq) VALUES ($1, $2, $3, 1)`, [
        n!.id,
        owner.id,
        unit.id,
      ]);
      return n!.id;
    };
    const doneOld = await notice('done', await ago('2 years'), await ago('2 years'));
    const cancelledNotYet = await notice('cancelled', await ago('2 years', '1 day'), await ago('3 years'));
    const draftOld = await notice('draft', null, await ago('3 years'));
    const sendingOld = await notice('sending', null, await ago('3 years'));

    const run = await purge();
    expect(run.status).toBe('done');

    for (const id of [oldAnswered, oldUnanswered]) expect(await exists('survey_invitations', id)).toBe(false);
    expect(await q(`SELECT 1 FROM survey_answers WHERE invitation_id = $1`, [oldAnswered])).toEqual([]);
    expect(await exists('survey_rounds', oldRound)).toBe(false);
    expect(await exists('survey_invitations', recentAnswered)).toBe(true);
    expect(await q(`SELECT 1 FROM survey_answers WHERE invitation_id = $1`, [recentAnswered])).toHaveLength(1);
    expect(await exists('survey_rounds', recentRound)).toBe(true);

    for (const id of [doneOld, draftOld]) {
      expect(await exists('notices', id)).toBe(false);
      expect(await q(`SELECT 1 FROM notice_recipients WHERE notice_id = $1`, [id])).toEqual([]);
    }
    for (const id of [cancelledNotYet, sendingOld]) {
      expect(await exists('notices', id)).toBe(true);
      expect(await q(`SELECT 1 FROM notice_recipients WHERE notice_id = $1`, [id])).toHaveLength(1);
    }
    expect(run.counts).toMatchObject({
      survey_answers: 1,
      survey_invitations: 2,
      survey_rounds: 1,
      notice_recipients: 2,
      notices: 2,
    });
    expect(run.cutoffs).toHaveProperty('survey_record');
    expect(run.cutoffs).toHaveProperty('notice_record');

    const again = await purge();
    expect(Object.values(again.counts).every((n) => n === 0)).toBe(true);
  });
});
