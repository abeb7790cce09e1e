import type { EntityManager } from 'typeorm';
import {
  addDays,
  addMonths,
  defaultOwnerSurvey,
  defaultSurveySchedule,
  dueOccasions,
  lifeStage,
  movedInOn,
  OWNER_SURVEY_CODE,
  zonedToUtc,
} from '@kefu/shared';
import { UNDELIVERABLE_MOBILE, type DemoEstate } from './estate';
import type { Rng } from './random';

const TIME_ZONE = 'Asia/Shanghai';
const AT_0940 = (9 * 60 + 40) * 60_000;

interface Link {
  owner_id: string;
  unit_id: string;
  since: string | null;
  handover: string | null;
  moved_in: string | null;
  mobiles: string[];
  email: string | null;
}

const comments = [
  '物业服务很周到，保安很负责。',
  '地下车库照明不足，晚上不安全。',
  '小区绿化很好，希望增加儿童游乐设施。',
  '卫生间有轻微渗水，报修后处理较慢。',
  '电梯高峰期等待时间太长。',
  '',
  '',
  '',
];

/** A 5-point score around `centre` (the owner's overall mood), 1–5. */
const near = (rand: Rng, centre: number) => Math.min(5, Math.max(1, centre + rand.int(-1, 1)));

/**
 * The demo's owner surveys (001 客户满意度管理程序): last month's round in a final state — each owner whose occasion
 * fell due last month invited, a little over half answered (some reminded first) — so the figures have history; and
 * four owners who told us their move-in date (owner_units.moved_in_on) 3 months, 1 year and 3 years ago today, so the
 * scheduler's survey scan (hourly, or 满意度调查 → 立即发出今日邀请) invites them today and their SMS or email with the
 * link reaches the local outbox (two of them prefer email). No messages are written for the past round.
 */
export async function writeSurveys(
  m: EntityManager,
  rand: Rng,
  estate: DemoEstate,
  today: string,
): Promise<{ invitations: number; answers: number; dueToday: number }> {
  const links = await m.query<Link[]>(
    `SELECT ou.owner_id, ou.unit_id, to_char(ou.since, 'YYYY-MM-DD') AS since,
            to_char(u.handover_date, 'YYYY-MM-DD') AS handover, to_char(ou.moved_in_on, 'YYYY-MM-DD') AS moved_in,
            o.mobiles, o.email
       FROM owner_units ou JOIN units u ON u.id = ou.unit_id JOIN owners o ON o.id = ou.owner_id
      WHERE u.project_id = $1 AND ou.until IS NULL AND ou.is_primary_contact
      ORDER BY u.handover_date, u.id`,
    [estate.projectId],
  );
  // Today's invitations: owners who moved in 3 months (two of them), 1 year and 3 years ago. The first two prefer
  // email, so theirs arrive at once even in SMS quiet hours (21:00–08:00, when SMS wait for the morning).
  const dueToday: Link[] = [];
  for (const [months, byEmail] of [
    [3, true],
    [3, false],
    [12, true],
    [36, false],
  ] as const) {
    const movedIn = addMonths(today, -months);
    const link = links.find(
      (l) =>
        !dueToday.includes(l) &&
        l.handover !== null &&
        l.handover <= movedIn &&
        (!byEmail || l.email !== null) &&
        !l.mobiles.some((n) => n.endsWith(UNDELIVERABLE_MOBILE.slice(-11))),
    );
    if (!link) continue;
    await m.query(`UPDATE owner_units SET moved_in_on = $3 WHERE owner_id = $1 AND unit_id = $2`, [
      link.owner_id,
      link.unit_id,
      movedIn,
    ]);
    if (byEmail) await m.query(`UPDATE owners SET preferred_channels = '{email,sms}' WHERE id = $1`, [link.owner_id]);
    dueToday.push(link);
  }

  // Last month's round.
  const month = `${addMonths(today, -1).slice(0, 7)}-01`;
  const monthEnd = addDays(addMonths(month, 1), -1);
  const [questionnaire] = await m.query<Array<{ id: string }>>(
    `SELECT id FROM survey_questionnaires WHERE code = $1 ORDER BY version LIMIT 1`,
    [OWNER_SURVEY_CODE],
  );
  const due = links
    .filter((l) => !dueToday.includes(l))
    .flatMap((l) => {
      const movedIn = movedInOn({ since: l.since, handoverDate: l.handover, movedInOn: l.moved_in });
      return dueOccasions(
        defaultSurveySchedule,
        { contractOn: l.since, handoverDate: l.handover, movedIn },
        addDays(month, -1),
        monthEnd,
      ).map((o) => ({ link: l, occasion: o.code, dueOn: o.dueOn, stage: lifeStage(movedIn, o.dueOn) }));
    });
  if (!due.length || !questionnaire) return { invitations: 0, answers: 0, dueToday: dueToday.length };
  const [round] = await m.query<Array<{ id: string }>>(
    `INSERT INTO survey_rounds (project_id, month, created_at) VALUES ($1, $2, $3) RETURNING id`,
    [estate.projectId, month, zonedToUtc(month, AT_0940, TIME_ZONE)],
  );
  const scale = defaultOwnerSurvey.questions.filter((q) => q.type === 'scale').map((q) => q.id);
  let answers = 0;
  for (const d of due) {
    const invitedAt = zonedToUtc(d.dueOn, AT_0940, TIME_ZONE);
    const answered = rand.chance(0.55);
    const answeredAt = addDays(d.dueOn, rand.int(0, 9));
    const reminded = !answered || answeredAt > addDays(d.dueOn, 7);
    const [inv] = await m.query<Array<{ id: string }>>(
      `INSERT INTO survey_invitations (round_id, owner_id, unit_id, project_id, questionnaire_id, occasion, due_on,
                                       life_stage, expires_at, reminded_at, answered_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
      [
        round!.id,
        d.link.owner_id,
        d.link.unit_id,
        estate.projectId,
        questionnaire.id,
        d.occasion,
        d.dueOn,
        d.stage,
        new Date(invitedAt.getTime() + 30 * 86_400_000),
        reminded ? new Date(invitedAt.getTime() + 7 * 86_400_000) : null,
        answered && answeredAt <= today ? zonedToUtc(answeredAt, 20 * 3600_000, TIME_ZONE) : null,
        invitedAt,
      ],
    );
    if (!answered || answeredAt > today) continue;
    const mood = rand.pick([5, 5, 5, 4, 4, 4, 4, 3, 3, 2, 1]);
    const scores = Object.fromEntries(scale.map((id) => [id, near(rand, mood)]));
    scores.overall = mood;
    const text = rand.pick(comments);
    await m.query(
      `INSERT INTO survey_answers (invitation_id, questionnaire_id, overall, buy_again, recommend, scores, texts, via, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'link', $8)`,
      [
        inv!.id,
        questionnaire.id,
        scores.overall,
        scores.buy_again,
        scores.recommend,
        JSON.stringify(scores),
        JSON.stringify(text ? { comments: text } : {}),
        zonedToUtc(answeredAt, 20 * 3600_000, TIME_ZONE),
      ],
    );
    answers++;
  }
  return { invitations: due.length, answers, dueToday: dueToday.length };
}
