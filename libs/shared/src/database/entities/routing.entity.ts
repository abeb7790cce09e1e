import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { DepartmentEntity } from './department.entity';
import { caseCategories, inList, type CaseCategory } from './enums';
import { ProjectEntity } from './project.entity';
import { StaffEntity } from './staff.entity';

/**
 * Which department answers for a category of case (001 §3), in one estate or — `projectId` null — in any
 * estate. The estate's own rule wins over the any-estate one (物业管理 → that estate's property company).
 * Written only by libs/shared/src/routing's callers through the routing API; read by intake's case write.
 */
@Entity({ name: 'department_responsibilities' })
@Index('uq_department_responsibilities_estate', ['category', 'projectId'], {
  unique: true,
  where: '"project_id" IS NOT NULL',
})
@Index('uq_department_responsibilities_any_estate', ['category'], { unique: true, where: '"project_id" IS NULL' })
@Check('ck_department_responsibilities_category', inList('category', caseCategories))
export class DepartmentResponsibilityEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'varchar', length: 30 }) category!: CaseCategory;
  @Column({ type: 'uuid', nullable: true }) projectId!: string | null;
  @ManyToOne(() => ProjectEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'fk_department_responsibilities_project' })
  project?: ProjectEntity | null;
  @Column({ type: 'uuid' }) departmentId!: string;
  @ManyToOne(() => DepartmentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'department_id', foreignKeyConstraintName: 'fk_department_responsibilities_department' })
  department?: DepartmentEntity;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}

/**
 * A department's duty roster (值班表): who is on duty on a weekday (1 = Monday … 7 = Sunday; applies on
 * working days of the business calendar, make-up working days included) or on one date (a holiday duty, a
 * swap). On a date, its own entries come before the weekday's; `position` orders several people on one day
 * (the first active one is who routing hands a case to).
 */
@Entity({ name: 'duty_roster' })
@Index('uq_duty_roster_weekday', ['departmentId', 'weekday', 'staffId'], {
  unique: true,
  where: '"weekday" IS NOT NULL',
})
@Index('uq_duty_roster_day', ['departmentId', 'day', 'staffId'], { unique: true, where: '"day" IS NOT NULL' })
@Check('ck_duty_roster_when', '("weekday" IS NULL) <> ("day" IS NULL)')
@Check('ck_duty_roster_weekday', '"weekday" IS NULL OR "weekday" BETWEEN 1 AND 7')
export class DutyRosterEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) departmentId!: string;
  @ManyToOne(() => DepartmentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'department_id', foreignKeyConstraintName: 'fk_duty_roster_department' })
  department?: DepartmentEntity;
  @Column({ type: 'uuid' }) staffId!: string;
  @ManyToOne(() => StaffEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'staff_id', foreignKeyConstraintName: 'fk_duty_roster_staff' })
  staff?: StaffEntity;
  /** ISO weekday, 1 = Monday … 7 = Sunday; null for a dated entry. */
  @Column({ type: 'smallint', nullable: true }) weekday!: number | null;
  /** A calendar date in the business time zone; null for a weekday entry. */
  @Column({ type: 'date', nullable: true }) day!: string | null;
  @Column({ type: 'smallint', default: 0 }) position!: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
