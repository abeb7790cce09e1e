import { z } from 'zod';
import { staffRoles } from '@kefu/shared';

export const createStaffSchema = z.object({
  login: z.string().trim().toLowerCase().regex(/^[a-z0-9._-]{2,60}$/, 'use 2–60 letters, digits, dot, dash or underscore'),
  name: z.string().trim().min(1, 'is required').max(100),
  role: z.enum(staffRoles),
  password: z.string().min(10, 'must be at least 10 characters').max(200),
  departmentId: z.uuid().nullable().default(null),
  reportsToId: z.uuid().nullable().default(null),
  mobile: z.string().trim().regex(/^(\+?86)?1[3-9]\d{9}$/, 'must be a mainland mobile number').nullable().default(null),
  email: z.email().nullable().default(null),
});
export type CreateStaffDto = z.output<typeof createStaffSchema>;
