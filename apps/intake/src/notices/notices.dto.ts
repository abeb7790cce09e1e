import { z } from 'zod';
import { lifeStages, noticeKinds, noticeStatuses } from '@kefu/shared';

/** Who gets it, within the notice's estate: any of buildings, units, life stages narrow it (all given must hold). */
export const audienceSchema = z
  .object({
    buildingIds: z.array(z.uuid()).max(500).nullish(),
    unitIds: z.array(z.uuid()).min(1, 'list at least one unit, or leave unitIds out').max(20_000).nullish(),
    lifeStages: z.array(z.enum(lifeStages)).max(4).nullish(),
  })
  .strict();
export type AudienceDto = z.output<typeof audienceSchema>;

export const createNoticeSchema = z
  .object({
    projectId: z.uuid(),
    kind: z.enum(noticeKinds),
    title: z.string().trim().min(1, 'give the notice a title').max(100),
    body: z.string().trim().min(1, 'write the notice').max(2000),
    audience: audienceSchema.default({}),
  })
  .strict();
export type CreateNoticeDto = z.output<typeof createNoticeSchema>;

export const noticeParamSchema = z.object({ id: z.uuid() });
export const listNoticesSchema = z.object({
  projectId: z.uuid().optional(),
  status: z.enum(noticeStatuses).optional(),
});
export const recipientsQuerySchema = z.object({
  excluded: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
