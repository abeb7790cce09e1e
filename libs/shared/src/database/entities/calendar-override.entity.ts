import { Check, Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * A local correction to the business calendar: a day the data package does not know yet
 * (next year's State Council notice, a typhoon closure) declared a working day or a day off.
 * Overrides win over the package.
 */
@Entity({ name: 'calendar_overrides' })
@Check('ck_calendar_overrides_kind', `"kind" IN ('workday', 'day_off')`)
export class CalendarOverrideEntity {
  @PrimaryColumn({ type: 'date' }) day!: string;
  @Column({ type: 'varchar', length: 10 }) kind!: 'workday' | 'day_off';
  @Column({ type: 'varchar', length: 200 }) note!: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
