import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Next case number per prefix (project code or the general prefix) and business year. */
@Entity({ name: 'case_number_counters' })
export class CaseNumberCounterEntity {
  @PrimaryColumn({ type: 'varchar', length: 20 }) prefix!: string;
  @PrimaryColumn({ type: 'smallint' }) year!: number;
  @Column({ type: 'integer' }) lastValue!: number;
}
