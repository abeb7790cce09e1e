import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

@Entity({ name: 'departments' })
@Unique('uq_departments_code', ['code'])
// At most one customer-service department.
@Index('uq_departments_customer_service', ['customerService'], { unique: true, where: '"customer_service"' })
export class DepartmentEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'varchar', length: 30 }) code!: string;
  @Column({ type: 'varchar', length: 100 }) name!: string;
  /**
   * The customer-service department (客户服务部): cases no responsibility rule routes (no category, no rule)
   * go to it and its duty roster. Set through PUT /api/v1/routing/responsibilities.
   */
  @Column({ type: 'boolean', default: false }) customerService!: boolean;
}
