import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { DepartmentEntity } from './department.entity';
import { inList, staffRoles, type StaffRole } from './enums';

/** A member of staff. `reportsTo` is the escalation chain: staff → dept manager → vice GM → GM. */
@Entity({ name: 'staff' })
@Unique('uq_staff_login', ['login'])
@Check('ck_staff_role', inList('role', staffRoles))
export class StaffEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  /** Login name, lower case. */
  @Column({ type: 'varchar', length: 60 }) login!: string;
  @Column({ type: 'varchar', length: 100 }) name!: string;
  @Column({ type: 'varchar', length: 20 }) role!: StaffRole;
  @Column({ type: 'uuid', nullable: true }) departmentId!: string | null;
  @ManyToOne(() => DepartmentEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'department_id', foreignKeyConstraintName: 'fk_staff_department' })
  department?: DepartmentEntity | null;
  @Column({ type: 'uuid', nullable: true }) reportsToId!: string | null;
  @ManyToOne(() => StaffEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'reports_to_id', foreignKeyConstraintName: 'fk_staff_reports_to' })
  reportsTo?: StaffEntity | null;
  @Column({ type: 'varchar', length: 20, nullable: true }) mobile!: string | null;
  @Column({ type: 'varchar', length: 254, nullable: true }) email!: string | null;
  /** scrypt hash (see auth/password.ts); null = cannot log in. */
  @Column({ type: 'varchar', length: 200, nullable: true, select: false }) passwordHash!: string | null;
  @Column({ type: 'boolean', default: true }) active!: boolean;
  /**
   * Carried in every token (`ver`); bumped when the account is deactivated, its role changes or its password is
   * reset or changed, so tokens issued before stop working (the guard re-reads it at least once a minute).
   */
  @Column({ type: 'integer', default: 0 }) tokenVersion!: number;
  @Column({ type: 'timestamptz', nullable: true }) lastLoginAt!: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}
