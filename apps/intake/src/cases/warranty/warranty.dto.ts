import { z } from 'zod';
import { warrantyStatuses } from '@kefu/shared';

/**
 * Staff's correction of a repair's warranty standing (000 §6.5.1(2), 003 §11.2.4), with the reason on the record.
 * itemCode / expiresOn: left out keeps the case's (a changed item gets its expiry for the case's unit); null clears.
 */
export const warrantyOverrideSchema = z.strictObject({
  status: z.enum(warrantyStatuses),
  reason: z.string().trim().min(2, '请填写理由 (a reason is required)').max(2000),
  itemCode: z
    .string()
    .regex(/^[a-z][a-z0-9_]{1,39}$/, 'must be a catalogue code such as wet_room_waterproofing')
    .nullable()
    .optional(),
  expiresOn: z.iso.date('must be a date YYYY-MM-DD').nullable().optional(),
});
export type WarrantyOverride = z.output<typeof warrantyOverrideSchema>;
