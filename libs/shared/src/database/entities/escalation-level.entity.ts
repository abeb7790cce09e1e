import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { DepartmentEntity } from './department.entity';
import { MAX_ESCALATION_LEVEL, inList, staffRoles, type StaffRole } from './enums';
import { StaffEntity } from './staff.entity';

/**
 * How a level's person is found: `role` — the first active staff member with that role (within the case's
 * responsible department when `withinCaseDepartment`); `department_manager` — the manager of a named department
 * (e.g. 市场部); `staff` — one named staff member (e.g. 总经办客户代表).
 */
export const escalationResolvers = ['role', 'department_manager', 'staff'] as const;
export type EscalationResolver = (typeof escalationResolvers)[number];

/**
 * One level of the escalation chain (002 §7.3.2), in order: level 1 is the first step above the person
 * responsible for a case, the last level is the top (the GM in the default chain). The whole chain is replaced at
 * once through the scheduler's escalation-chain API; the migration seeds today's chain (部门经理 → 主管副总 → 总经理).
 */
@Entity({ name: 'escalation_levels' })
@Index('uq_escalation_levels_level', ['level'], { unique: true })
@Check('ck_escalation_levels_level', `"level" BETWEEN 1 AND ${MAX_ESCALATION_LEVEL}`)
@Check('ck_escalation_levels_resolver', inList('resolver', escalationResolvers))
@Check('ck_escalation_levels_role', `"role" IS NULL OR ${inList('role', staffRoles)}`)
@Check(
  'ck_escalation_levels_target',
  `("resolver" = 'role' AND "role" IS NOT NULL AND "department_id" IS NULL AND "staff_id" IS NULL) OR ` +
    `("resolver" = 'department_manager' AND "department_id" IS NOT NULL AND "role" IS NULL AND "staff_id" IS NULL AND NOT "within_case_department") OR ` +
    `("resolver" = 'staff' AND "staff_id" IS NOT NULL AND "role" IS NULL AND "department_id" IS NULL AND NOT "within_case_department")`,
)
export class EscalationLevelEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'smallint' }) level!: number;
  /** What staff see: 部门经理, 市场部经理, 总经办客户代表, 主管副总, 总经理. */
  @Column({ type: 'varchar', length: 50 }) name!: string;
  @Column({ type: 'varchar', length: 20 }) resolver!: EscalationResolver;
  @Column({ type: 'varchar', length: 20, nullable: true }) role!: StaffRole | null;
  /** With `role`: only someone of the case's responsible department (else the next level up). */
  @Column({ type: 'boolean', default: false }) withinCaseDepartment!: boolean;
  @Column({ type: 'uuid', nullable: true }) departmentId!: string | null;
  @ManyToOne(() => DepartmentEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'department_id', foreignKeyConstraintName: 'fk_escalation_levels_department' })
  department?: DepartmentEntity | null;
  @Column({ type: 'uuid', nullable: true }) staffId!: string | null;
  @ManyToOne(() => StaffEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'staff_id', foreignKeyConstraintName: 'fk_escalation_levels_staff' })
  staff?: StaffEntity | null;
  @Column({ type: 'uuid', nullable: true }) updatedById!: string | null;
  @ManyToOne(() => StaffEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'updated_by_id', foreignKeyConstraintName: 'fk_escalation_levels_updated_by' })
  updatedBy?: StaffEntity | null;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}
