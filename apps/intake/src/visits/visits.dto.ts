import { z } from 'zod';
import { caseCategories, caseTypes, visitMethods, visitOutcomes } from '@kefu/shared';

const year = z.coerce.number().int().min(2000, 'must be a year such as 2026').max(2100, 'must be a year such as 2026');

export const visitStates = ['due', 'overdue', 'upcoming', 'done', 'ended', 'all'] as const;
export type VisitState = (typeof visitStates)[number];

export const listQuerySchema = z.object({
  /** due: planned and due by today (overdue included); upcoming: planned, later; done; ended; all. */
  state: z.enum(visitStates).default('due'),
  /** mine: visits assigned to me; all: everyone's (managers see all; a rep sees all of the estates they visit). */
  scope: z.enum(['mine', 'all']).default('mine'),
  projectId: z.uuid().optional(),
  staffId: z.uuid().optional(),
  year: year.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
export type ListQuery = z.output<typeof listQuerySchema>;

export const idParamSchema = z.object({ id: z.uuid({ message: 'must be a visit id (uuid)' }) });

export const recordSchema = z
  .object({
    /** When the visit happened; default now. Not in the future. */
    visitedAt: z.iso
      .datetime({ offset: true, message: 'must be a date and time like 2026-05-12T10:30:00+08:00' })
      .optional(),
    method: z.enum(visitMethods),
    topics: z.array(z.string().trim().min(1).max(40)).max(10).default([]),
    notes: z.string().trim().max(2000).nullish(),
    outcome: z.enum(visitOutcomes),
    /** Who visited: default the person recording; only managers may record for someone else. */
    staffId: z.uuid().optional(),
    /** An issue the owner raised, opened as a case (routing and deadlines apply). */
    followUp: z
      .object({
        description: z.string().trim().min(2, 'describe what the owner raised').max(4000),
        type: z.enum(caseTypes).optional(),
        category: z.enum(caseCategories).nullish(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type RecordDto = z.output<typeof recordSchema>;

export const figuresQuerySchema = z.object({
  year: year.optional(),
  projectId: z.uuid().optional(),
  format: z.enum(['json', 'csv']).default('json'),
});
export type FiguresQuery = z.output<typeof figuresQuerySchema>;
