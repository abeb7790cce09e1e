import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { ProjectEntity } from './project.entity';

/** A building (栋/座/号楼) of an estate. `name` is how owners say it: "3栋", "A座". */
@Entity({ name: 'buildings' })
@Unique('uq_buildings_project_name', ['projectId', 'name'])
export class BuildingEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) projectId!: string;
  @ManyToOne(() => ProjectEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'fk_buildings_project' })
  project?: ProjectEntity;
  @Column({ type: 'varchar', length: 30 }) name!: string;
}
