import { z } from 'zod';
import { notificationKinds, notificationStatuses, notifyChannels } from '@kefu/shared';

const csv = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .preprocess((v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v), z.array(z.enum(values)).min(1))
    .optional();

export const listNotificationsSchema = z.object({
  caseId: z.uuid().optional(),
  ownerId: z.uuid().optional(),
  channel: csv(notifyChannels),
  status: csv(notificationStatuses),
  kind: csv(notificationKinds),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export type ListNotificationsQuery = z.output<typeof listNotificationsSchema>;

export const previewSchema = z.object({
  variables: z.record(z.string(), z.unknown()),
  recipientName: z.string().max(100).nullish(),
});
export type PreviewBody = z.output<typeof previewSchema>;
