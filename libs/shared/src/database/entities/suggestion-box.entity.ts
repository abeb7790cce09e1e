import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { ProjectEntity } from './project.entity';
import { StaffEntity } from './staff.entity';

/** 意见箱: one per location in an estate, emptied once a week (002 §7.1.2). */
@Entity({ name: 'suggestion_boxes' })
@Unique('uq_suggestion_boxes_location', ['projectId', 'location'])
export class SuggestionBoxEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) projectId!: string;
  @ManyToOne(() => ProjectEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'fk_suggestion_boxes_project' })
  project?: ProjectEntity;
  /** e.g. "2栋大堂", "南门岗亭". */
  @Column({ type: 'varchar', length: 200 }) location!: string;
  @Column({ type: 'boolean', default: true }) active!: boolean;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}

/** One emptying of a box, recorded even when the box was empty. */
@Entity({ name: 'box_collections' })
@Unique('uq_box_collections_box_time', ['boxId', 'collectedAt'])
export class BoxCollectionEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) boxId!: string;
  @ManyToOne(() => SuggestionBoxEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'box_id', foreignKeyConstraintName: 'fk_box_collections_box' })
  box?: SuggestionBoxEntity;
  @Column({ type: 'timestamptz' }) collectedAt!: Date;
  @Column({ type: 'uuid' }) collectorId!: string;
  @ManyToOne(() => StaffEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'collector_id', foreignKeyConstraintName: 'fk_box_collections_collector' })
  collector?: StaffEntity;
  @Column({ type: 'integer', default: 0 }) slipCount!: number;
  @Column({ type: 'varchar', length: 500, nullable: true }) note!: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
