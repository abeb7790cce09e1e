import { z } from 'zod';
import { normalisePhone, staffRoles } from '@kefu/shared';

export const createStaffSchema = z.object({
  login: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9._-]{2,60}$/, 'use 2–60 letters, digits, dot, dash or underscore'),
  name: z.string().trim().min(1, 'is required').max(100),
  role: z.enum(staffRoles),
  password: z.string().min(10, 'must be at least 10 characters').max(200),
  departmentId: z.uuid().nullable().default(null),
  reportsToId: z.uuid().nullable().default(null),
  // Stored as the phone module's 11 digits ('+86 138-1234-5678' → '13812345678'), as owners' mobiles are.
  mobile: z
    .string()
    .refine((v) => normalisePhone(v)?.kind === 'mobile', 'must be a mainland mobile number')
    .transform((v) => normalisePhone(v)!.digits)
    .nullable()
    .default(null),
  email: z.email().nullable().default(null),
});
export type CreateStaffDto = z.output<typeof createStaffSchema>;

export const changeRoleSchema = z.object({ role: z.enum(staffRoles) });
export type ChangeRoleDto = z.output<typeof changeRoleSchema>;

const newPassword = z.string().min(10, 'must be at least 10 characters').max(200);

/** Without a password, one is generated and shown once in the answer. */
export const resetPasswordSchema = z.object({ password: newPassword.optional() }).default({});
export type ResetPasswordDto = z.output<typeof resetPasswordSchema>;

export const changeOwnPasswordSchema = z
  .object({ currentPassword: z.string().min(1, 'is required').max(200), newPassword })
  .refine((v) => v.currentPassword !== v.newPassword, {
    path: ['newPassword'],
    message: 'must differ from the current password',
  });
export type ChangeOwnPasswordDto = z.output<typeof changeOwnPasswordSchema>;
