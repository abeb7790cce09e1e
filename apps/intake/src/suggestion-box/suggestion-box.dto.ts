import { z } from 'zod';
import { AppException, ZodValidationPipe } from '@kefu/shared';

// NUL cannot be stored in Postgres text or jsonb: dropped rather than failing the whole collection.
const noNul = (v: unknown) => (typeof v === 'string' ? v.replaceAll('\u0000', '') : v);

const optionalText = (max: number, message: string) =>
  z.preprocess(noNul, z.string().trim().max(max, message).nullish()).transform((v) => (v ? v : null));

export const createBoxSchema = z.object({
  projectId: z.uuid('请选择小区 (projectId must be an estate id)'),
  /** e.g. "2栋大堂", "南门岗亭". */
  location: z.string().trim().min(1, '请填写意见箱位置 (location is required)').max(200),
});
export type CreateBoxDto = z.output<typeof createBoxSchema>;

export const updateBoxSchema = z
  .object({ location: z.string().trim().min(1).max(200).optional(), active: z.boolean().optional() })
  .refine((v) => v.location !== undefined || v.active !== undefined, { message: 'change location or active' });
export type UpdateBoxDto = z.output<typeof updateBoxSchema>;

export const listBoxesSchema = z.object({
  projectId: z.uuid().optional(),
  /** Only active boxes whose last emptying (or, never emptied, their installation) is older than this many days. */
  notEmptiedDays: z.coerce.number().int().min(1).max(365).optional(),
});
export type ListBoxesQuery = z.output<typeof listBoxesSchema>;

export const historySchema = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) });

export const SLIPS_MAX = 200;

const slipSchema = z
  .object({
    content: z.preprocess(
      noNul,
      z
        .string({ error: '请填写意见内容 (content is required)' })
        .trim()
        .min(1, '请填写意见内容 (content is required)')
        .max(10_000),
    ),
    name: optionalText(100, '姓名不能超过100个字'),
    unitText: optionalText(100, '房号不能超过100个字'),
    /** As written on the slip. */
    phone: optionalText(40, '电话不能超过40个字符'),
    anonymous: z.boolean().default(false),
    /** Multipart only: the name of the file part holding the photo of this slip. */
    photo: optionalText(100, 'photo names a file part of this request'),
  })
  .refine((s) => !s.anonymous || (!s.name && !s.phone && !s.unitText), {
    message: '匿名意见不应记录姓名、电话或房号 (an anonymous slip carries no name, phone or unit)',
    path: ['anonymous'],
  });
export type SlipDto = z.output<typeof slipSchema>;

export const collectionSchema = z
  .object({
    collectedAt: z.iso.datetime({
      offset: true,
      message: '收取时间须为 ISO 时间，如 2026-11-23T09:30:00+08:00 (collectedAt)',
    }),
    /** Who emptied the box; the recording staff member when not given. */
    collectorId: z
      .uuid()
      .nullish()
      .transform((v) => v ?? null),
    note: optionalText(500, '备注不能超过500个字'),
    /** Empty when the box was empty: the emptying is recorded all the same. */
    slips: z
      .array(slipSchema, { error: 'slips must be a list (empty for an empty box)' })
      .max(SLIPS_MAX, `一次最多 ${SLIPS_MAX} 张意见 (at most ${SLIPS_MAX} slips)`),
  })
  .superRefine((c, ctx) => {
    if (new Date(c.collectedAt).getTime() > Date.now() + 5 * 60_000)
      ctx.addIssue({
        code: 'custom',
        path: ['collectedAt'],
        message: '收取时间不能晚于现在 (collectedAt is in the future)',
      });
    const seen = new Map<string, number>();
    c.slips.forEach((s, i) => {
      if (!s.photo) return;
      if (seen.has(s.photo))
        ctx.addIssue({
          code: 'custom',
          path: ['slips', i, 'photo'],
          message: `照片 ${s.photo} 已用于第 ${seen.get(s.photo)! + 1} 张意见 (each photo belongs to one slip)`,
        });
      seen.set(s.photo, i);
    });
  });
export type CollectionDto = z.output<typeof collectionSchema>;

/**
 * A collection arrives as JSON (no photos), or as multipart/form-data with the same JSON in the part
 * `collection` and the slip photos as file parts named by each slip's `photo`.
 */
export function parseCollection(body: unknown, multipart: boolean): CollectionDto {
  let value = body;
  if (multipart) {
    const part = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).collection : undefined;
    if (typeof part !== 'string')
      throw new AppException('validation_failed', 'Invalid input: collection', {
        fields: [
          {
            field: 'collection',
            message: 'multipart 请求须有 collection 部分（JSON） (the collection part is required)',
          },
        ],
      });
    try {
      value = JSON.parse(part) as unknown;
    } catch {
      throw new AppException('validation_failed', 'Invalid input: collection', {
        fields: [{ field: 'collection', message: 'collection 部分不是有效的 JSON (not valid JSON)' }],
      });
    }
  }
  return new ZodValidationPipe(collectionSchema).transform(value);
}
