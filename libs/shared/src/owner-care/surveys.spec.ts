import {
  defaultOwnerSurvey,
  defaultSurveySchedule,
  dueOccasions,
  responseTargetMet,
  sharePercent,
  SurveyLinks,
  surveyFigures,
  surveyOccasions,
  surveyQuestionsSchema,
} from './surveys';

describe('survey schedule (WHVK-QP-16-03 §5.1)', () => {
  it('lists contract + 1 month, move-in + 3 months, yearly to year 5, then every 2 years', () => {
    const months = surveyOccasions(defaultSurveySchedule).map((o) => o.code);
    expect(months.slice(0, 9)).toEqual([
      'contract-1m',
      'movein-3m',
      'movein-12m',
      'movein-24m',
      'movein-36m',
      'movein-48m',
      'movein-60m',
      'movein-84m',
      'movein-108m',
    ]);
    expect(months.at(-1)).toBe('movein-348m'); // year 29: the last within SURVEY_HORIZON_YEARS
  });

  it('follows the configured figures; 0 turns the contract survey off', () => {
    const codes = surveyOccasions({
      afterContractMonths: 0,
      firstAfterMonths: 6,
      yearlyUntilYears: 2,
      laterEveryYears: 3,
    })
      .map((o) => o.code)
      .slice(0, 5);
    expect(codes).toEqual(['movein-6m', 'movein-12m', 'movein-24m', 'movein-60m', 'movein-96m']);
  });

  it('gives a first buyer the contract survey and a resale buyer only the move-in ones', () => {
    const s = defaultSurveySchedule;
    const firstBuyer = { contractOn: '2026-01-31', handoverDate: null, movedIn: null };
    expect(dueOccasions(s, firstBuyer, '2026-02-27', '2026-02-28').map((o) => [o.code, o.dueOn])).toEqual([
      ['contract-1m', '2026-02-28'], // clamped to the month's end, as Postgres does
    ]);
    const resale = { contractOn: '2026-03-01', handoverDate: '2020-01-01', movedIn: '2026-03-01' };
    expect(dueOccasions(s, resale, '2026-01-01', '2026-12-31').map((o) => o.code)).toEqual(['movein-3m']);
  });
});

describe('satisfaction and loyalty (001 客户满意度管理程序 §3)', () => {
  it('computes both on a worked example', () => {
    // Ten respondents (overall, buy again, recommend):
    const answers = [
      [5, 5, 5], // satisfied, loyal
      [4, 4, 4], // satisfied, loyal
      [5, 4, 5], // satisfied, loyal
      [4, 3, 5], // satisfied, not loyal (would not clearly buy again)
      [5, 5, 2], // satisfied, not loyal (would not recommend)
      [3, 5, 5], // not satisfied (3 is 一般), so not loyal either
      [2, 2, 1],
      [1, 1, 1],
      [4, 5, 4], // satisfied, loyal
      [3, 3, 3],
    ].map(([overall, buyAgain, recommend]) => ({ overall: overall!, buyAgain: buyAgain!, recommend: recommend! }));
    // Satisfied: 4s and 5s on overall = 6 of 10 = 60 %. Loyal: ≥ 4 on all three = 4 of 10 = 40 %.
    expect(surveyFigures(answers)).toEqual({
      respondents: 10,
      satisfied: 6,
      loyal: 4,
      satisfaction: 60,
      loyalty: 40,
    });
    // Shares to one decimal: 2 of 3 = 66.7 %.
    expect(surveyFigures(answers.slice(3, 6))).toMatchObject({ satisfaction: 66.7, loyalty: 0 });
    expect(surveyFigures([])).toEqual({ respondents: 0, satisfied: 0, loyal: 0, satisfaction: null, loyalty: null });
  });

  it('tracks the response target (≥ 30 %) on the counts, not on the rounded rate', () => {
    expect(responseTargetMet(3, 10, 30)).toBe(true);
    expect(responseTargetMet(2, 10, 30)).toBe(false);
    // 29.97 % shows as 30 % but does not reach it.
    expect(sharePercent(2997, 10_000)).toBe(30);
    expect(responseTargetMet(2997, 10_000, 30)).toBe(false);
    expect(responseTargetMet(3000, 10_000, 30)).toBe(true);
    // A round nobody was invited to has no rate and does not meet anything.
    expect(responseTargetMet(0, 0, 30)).toBe(false);
  });
});

describe('questionnaire content', () => {
  it('accepts the default and refuses one without the three key questions, naming the problem', () => {
    expect(surveyQuestionsSchema.safeParse(defaultOwnerSurvey.questions).success).toBe(true);
    const r = surveyQuestionsSchema.safeParse(defaultOwnerSurvey.questions.filter((q) => q.id !== 'recommend'));
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toContain('recommend');
  });
});

describe('survey links', () => {
  it('round-trips, and refuses another purpose or a forged token', () => {
    const links = new SurveyLinks('x'.repeat(32));
    const id = '3f2a1e4b-0c5d-4e6f-8a9b-1c2d3e4f5a6b';
    const at = new Date('2026-07-01T00:00:00Z');
    const token = links.sign(id, at);
    expect(links.verify(token)).toEqual({ invitationId: id, expiresAt: at });
    expect(new SurveyLinks('y'.repeat(32)).verify(token)).toBeNull();
    expect(links.verify(token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA'))).toBeNull();
  });
});
