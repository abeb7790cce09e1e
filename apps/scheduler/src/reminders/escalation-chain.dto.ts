import { z } from 'zod';
import { MAX_ESCALATION_LEVEL, staffRoles } from '@kefu/shared';

const name = z.string().trim().min(1, 'must not be empty').max(50, 'at most 50 characters');

/** One level: how its person is found (a role, a named department's manager, or one staff member). */
const levelSchema = z.discriminatedUnion(
  'resolver',
  [
    z.object({
      name,
      resolver: z.literal('role'),
      role: z.enum(staffRoles, `must be one of ${staffRoles.join(', ')}`),
      /** Only someone of the case's responsible department (e.g. that department's manager). */
      withinCaseDepartment: z.boolean().default(false),
    }),
    z.object({ name, resolver: z.literal('department_manager'), departmentId: z.uuid('must be a department id') }),
    z.object({ name, resolver: z.literal('staff'), staffId: z.uuid('must be a staff id') }),
  ],
  { error: 'resolver must be one of role, department_manager, staff' },
);

/** PUT /api/v1/escalation-chain: the whole chain in order (first = level 1, last = the top), replaced at once. */
export const putEscalationChainSchema = z
  .object({
    levels: z
      .array(levelSchema)
      .min(1, 'at least one level (the top)')
      .max(MAX_ESCALATION_LEVEL, `at most ${MAX_ESCALATION_LEVEL} levels`),
  })
  .superRefine((v, ctx) => {
    const seen = new Map<string, number>();
    v.levels.forEach((l, i) => {
      const first = seen.get(l.name);
      if (first === undefined) seen.set(l.name, i);
      else
        ctx.addIssue({
          code: 'custom',
          path: ['levels', i, 'name'],
          message: `每一级的名称不能重复 (repeats levels.${first}.name: ${l.name})`,
        });
    });
  });
export type PutEscalationChainDto = z.output<typeof putEscalationChainSchema>;
