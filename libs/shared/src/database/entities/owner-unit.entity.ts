import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { OwnerEntity } from './owner.entity';
import { UnitEntity } from './unit.entity';
import { inList, ownerRelations, type OwnerRelation } from './enums';

/**
 * Who owns a unit, and since when. Co-owners share a unit; one of them is the primary contact.
 * A sale ends the old links (`until`) and starts new ones, so history is kept.
 */
@Entity({ name: 'owner_units' })
@Index('uq_owner_units_current', ['ownerId', 'unitId'], { unique: true, where: '"until" IS NULL' })
@Index('ix_owner_units_unit', ['unitId'])
// A unit's current owners from the index alone (index-only scan): the warranty scan looks them up once per notice.
@Index('ix_owner_units_current_unit', ['unitId', 'ownerId'], { where: '"until" IS NULL' })
// The survey scan's look-ups of ownerships that began, or moved in, in a band of days (migration Surveys).
@Index('ix_owner_units_current_since', ['since'], { where: '"until" IS NULL' })
@Index('ix_owner_units_current_moved_in', ['movedInOn'], { where: '"until" IS NULL AND "moved_in_on" IS NOT NULL' })
@Check('ck_owner_units_relation', inList('relation', ownerRelations))
export class OwnerUnitEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) ownerId!: string;
  @ManyToOne(() => OwnerEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_id', foreignKeyConstraintName: 'fk_owner_units_owner' })
  owner?: OwnerEntity;
  @Column({ type: 'uuid' }) unitId!: string;
  @ManyToOne(() => UnitEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'unit_id', foreignKeyConstraintName: 'fk_owner_units_unit' })
  unit?: UnitEntity;
  @Column({ type: 'varchar', length: 10, default: 'owner' }) relation!: OwnerRelation;
  @Column({ type: 'boolean', default: false }) isPrimaryContact!: boolean;
  @Column({ type: 'date', nullable: true }) since!: string | null;
  @Column({ type: 'date', nullable: true }) until!: string | null;
  /** The day the owner moved in, when they told us; else it is derived (owner_moved_in_on, life-stage.ts). */
  @Column({ type: 'date', nullable: true }) movedInOn!: string | null;
}
