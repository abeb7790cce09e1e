import { z } from 'zod';
import { caseCategories, caseTypes, surveyQuestionsSchema } from '@kefu/shared';

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'month must be YYYY-MM, e.g. 2026-11');

export const figuresSchema = z.object({
  /** Group by estate, by the owners' life stage on the due day, or by the round's month. */
  by: z.enum(['estate', 'life_stage', 'month']).default('estate'),
  /** Rounds from this month through `to` (YYYY-MM); default the last 12 months. */
  from: month.optional(),
  to: month.optional(),
  projectId: z.uuid().optional(),
});
export type FiguresQuery = z.output<typeof figuresSchema>;

export const roundsSchema = z.object({ projectId: z.uuid().optional() });
export type RoundsQuery = z.output<typeof roundsSchema>;

export const answersSchema = z.object({
  roundId: z.uuid().optional(),
  projectId: z.uuid().optional(),
  /** Only answers whose overall satisfaction is at most this (low scores: 2). */
  maxOverall: z.coerce.number().int().min(1).max(5).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type AnswersQuery = z.output<typeof answersSchema>;

export const openCaseSchema = z
  .object({
    type: z.enum(caseTypes).default('complaint'),
    category: z.enum(caseCategories).nullish(),
    /** What staff add to the answer's own text (the description is built from the scores and comments). */
    note: z.string().trim().max(2000).optional(),
  })
  .strict();
export type OpenCaseBody = z.output<typeof openCaseSchema>;

export const questionnaireSchema = z
  .object({
    title: z.string().trim().min(1).max(200),
    questions: surveyQuestionsSchema,
  })
  .strict();
export type QuestionnaireBody = z.output<typeof questionnaireSchema>;
