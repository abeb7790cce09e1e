import { z } from 'zod';
import type { FieldProblem } from '@kefu/shared';

export const evidenceKinds = ['photo', 'recording', 'document'] as const;
export type EvidenceKind = (typeof evidenceKinds)[number];

/** The text fields of `POST /cases/:id/evidence` (multipart, next to the file part `file`). */
export const evidenceSchema = z.object({
  kind: z.enum(evidenceKinds, { message: '请选择证据类型 photo、recording 或 document (kind is required)' }),
  caption: z
    .string({ message: '请写明证据内容 (caption is required)' })
    .trim()
    .min(1, '请写明证据内容 (caption is required)')
    .max(500),
});
export type EvidenceDto = z.output<typeof evidenceSchema>;

/**
 * Forms the owner signs on paper (投诉处理单 SM03-07): the reply given face to face, the customer's
 * evaluation (满意/不满意 + comments), the sign-off of a finished repair.
 */
export const signedFormKinds = ['reply', 'evaluation', 'repair_signoff'] as const;
export type SignedFormKind = (typeof signedFormKinds)[number];

// A form's blank field arrives as ''.
const blank = (v: unknown) => (v === '' ? undefined : v);
const flag = z.enum(['true', 'false'], { message: 'must be true or false' }).transform((v) => v === 'true');

/** The text fields of `POST /cases/:id/signed-forms` (multipart, next to the photo part `photo`). */
export const signedFormSchema = z
  .object({
    formKind: z.enum(signedFormKinds, {
      message: '请选择表单 reply、evaluation 或 repair_signoff (formKind is required)',
    }),
    signedAt: z.iso.datetime({
      offset: true,
      message: '签字时间须为 ISO 时间，如 2026-11-23T09:30:00+08:00 (signedAt)',
    }),
    /** 满意 (true) / 不满意 (false): evaluations only. */
    satisfied: z.preprocess(blank, flag.optional()),
    /** What the owner wrote on the form. */
    comments: z.preprocess(blank, z.string().trim().max(5000).optional()),
  })
  .superRefine((v, ctx) => {
    if (v.satisfied !== undefined && v.formKind !== 'evaluation')
      ctx.addIssue({
        code: 'custom',
        path: ['satisfied'],
        message: '只有客户评价有满意/不满意 (satisfied belongs to an evaluation)',
      });
  });
export type SignedFormDto = z.output<typeof signedFormSchema>;

/** Parses a multipart body's text fields; problems name each bad field, like `ZodValidationPipe`. */
export function parseFields<S extends z.ZodType>(
  schema: S,
  body: unknown,
): { value: z.output<S> | null; problems: FieldProblem[] } {
  const r = schema.safeParse(typeof body === 'object' && body !== null ? { ...body } : {});
  if (r.success) return { value: r.data, problems: [] };
  return {
    value: null,
    problems: r.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message })),
  };
}
