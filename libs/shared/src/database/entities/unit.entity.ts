import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { BuildingEntity } from './building.entity';
import { ProjectEntity } from './project.entity';
import { inList, unitFinishes, type UnitFinish } from './enums';

/** A unit (房号): building, entrance (单元, '' when the building has one), room. */
@Entity({ name: 'units' })
@Unique('uq_units_building_entrance_room', ['buildingId', 'entrance', 'room'])
// The target of warranty_notices' (unit_id, project_id) key: a notice's estate is its unit's.
@Unique('uq_units_id_project', ['id', 'projectId'])
@Index('ix_units_project_handover', ['projectId', 'handoverDate'])
@Check('ck_units_finish', inList('finish', unitFinishes))
export class UnitEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) projectId!: string;
  @ManyToOne(() => ProjectEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'fk_units_project' })
  project?: ProjectEntity;
  @Column({ type: 'uuid' }) buildingId!: string;
  @ManyToOne(() => BuildingEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'building_id', foreignKeyConstraintName: 'fk_units_building' })
  building?: BuildingEntity;
  @Column({ type: 'varchar', length: 10, default: '' }) entrance!: string;
  @Column({ type: 'varchar', length: 10 }) room!: string;
  @Column({ type: 'smallint', nullable: true }) floor!: number | null;
  /** 交付日期: warranty periods count from here. A calendar date in the business time zone. */
  @Column({ type: 'date', nullable: true }) handoverDate!: string | null;
  @Column({ type: 'varchar', length: 10, default: 'rough' }) finish!: UnitFinish;
}
