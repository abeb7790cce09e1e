import { z } from 'zod';
import { collectorRelations, idDocumentTypes } from '@kefu/shared';

export const day = z.iso.date({ message: 'must be a date like 2026-10-12' });

/** The batch fields, shared by the JSON API and each CSV row group. */
export const batchFieldsSchema = z.object({
  projectId: z.uuid(),
  reference: z.string().trim().min(1).max(60).nullish(),
  place: z.string().trim().min(1, 'say where owners collect').max(200),
  hours: z.string().trim().min(1, 'say when, e.g. 工作日 9:00-17:00').max(200),
  documents: z.array(z.string().trim().min(1).max(100)).min(1, 'list at least one document to bring').max(30),
  fromDate: day,
  deadline: day,
  reminderAfterDays: z.number().int().min(1).max(365).default(30),
  finalReminderDaysBefore: z.number().int().min(0).max(60).default(7),
});
const datesInOrder = (b: { fromDate: string; deadline: string }) => b.fromDate <= b.deadline;

export const createBatchSchema = batchFieldsSchema
  .extend({ unitIds: z.array(z.uuid()).min(1, 'list at least one unit').max(5000) })
  .strict()
  .refine(datesInOrder, { message: 'must not be before fromDate', path: ['deadline'] })
  .refine((b) => new Set(b.unitIds).size === b.unitIds.length, { message: 'lists a unit twice', path: ['unitIds'] });
export type CreateBatchDto = z.output<typeof createBatchSchema>;
export type BatchFields = Omit<z.output<typeof batchFieldsSchema>, 'projectId'> & { projectId: string };

export const batchParamSchema = z.object({ id: z.uuid() });
export const listQuerySchema = z.object({ projectId: z.uuid().optional() });

export const collectionSchema = z
  .object({
    unitId: z.uuid(),
    collectedBy: z.string().trim().min(1).max(100),
    relation: z.enum(collectorRelations),
    idType: z.enum(idDocumentTypes),
    /** Checked, then masked; the full number is never stored. */
    idNumber: z.string().trim().min(5).max(40),
    collectedOn: day,
  })
  .strict();
export type CollectionDto = z.output<typeof collectionSchema>;
