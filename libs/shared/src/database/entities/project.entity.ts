import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';

/** 楼盘: an estate, with the short code that prefixes its case numbers (e.g. COBZS001). */
@Entity({ name: 'projects' })
@Unique('uq_projects_code', ['code'])
export class ProjectEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'varchar', length: 20 }) code!: string;
  @Column({ type: 'varchar', length: 100 }) name!: string;
  @Column({ type: 'varchar', length: 50 }) city!: string;
  @Column({ type: 'varchar', length: 200, nullable: true }) address!: string | null;
  /** Bumped by triggers when the estate's units or buildings change (UnitsVersion migration); bigint, as a string. */
  @Column({ type: 'bigint', default: 0 }) unitsVersion!: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}
