import { z } from 'zod';
import { warrantyBases } from '@kefu/shared';

const day = z.iso.date({ message: 'must be a date like 2026-10-01' });
const mmdd = z
  .string()
  .regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'must be MM-DD, e.g. 11-15')
  .refine(
    (s) =>
      s !== '02-29' &&
      !Number.isNaN(Date.parse(`2025-${s}T00:00:00Z`)) &&
      new Date(`2025-${s}T00:00:00Z`).toISOString().slice(5, 10) === s,
    'is not a real day (02-29 is not allowed)',
  );

export const catalogueQuerySchema = z.object({ projectId: z.uuid().optional() });
export const itemParamSchema = z.object({
  projectId: z.uuid(),
  code: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'must be a lower-case code such as roof_waterproofing'),
});
export const itemBodySchema = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    basis: z.enum(warrantyBases).optional(),
    amount: z.number().int().min(1).max(600).optional(),
    monthsAhead: z.number().int().min(0).max(24).optional(),
    active: z.boolean().optional(),
    source: z.string().trim().max(200).nullish(),
  })
  .strict();
export type ItemBody = z.output<typeof itemBodySchema>;

export const seasonParamSchema = z.object({ city: z.string().trim().min(1).max(50) });
const pair = (a: 'heatingStart' | 'coolingStart', b: 'heatingEnd' | 'coolingEnd') => (v: Record<string, unknown>) =>
  (v[a] == null) === (v[b] == null);
export const seasonBodySchema = z
  .object({
    heatingStart: mmdd.nullable(),
    heatingEnd: mmdd.nullable(),
    coolingStart: mmdd.nullable(),
    coolingEnd: mmdd.nullable(),
  })
  .strict()
  .refine(pair('heatingStart', 'heatingEnd'), { message: 'give both heating dates or neither', path: ['heatingEnd'] })
  .refine(pair('coolingStart', 'coolingEnd'), { message: 'give both cooling dates or neither', path: ['coolingEnd'] });

export const noticesQuerySchema = z
  .object({
    projectId: z.uuid(),
    from: day.optional(),
    to: day.optional(),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'must not be before from', path: ['to'] });

export const upcomingQuerySchema = z.object({
  projectId: z.uuid(),
  days: z.coerce.number().int().min(1).max(366).default(60),
});
