import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { QueryFailedError, type DataSource } from 'typeorm';
import { AppException, hashPassword, StaffEntity } from '@kefu/shared';
import type { CreateStaffDto } from './staff.dto';

export type StaffView = Pick<
  StaffEntity,
  'id' | 'login' | 'name' | 'role' | 'departmentId' | 'reportsToId' | 'mobile' | 'email' | 'active'
>;

const view = (s: StaffEntity): StaffView => ({
  id: s.id,
  login: s.login,
  name: s.name,
  role: s.role,
  departmentId: s.departmentId,
  reportsToId: s.reportsToId,
  mobile: s.mobile,
  email: s.email,
  active: s.active,
});

@Injectable()
export class StaffService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async list(): Promise<StaffView[]> {
    const rows = await this.ds.getRepository(StaffEntity).find({ order: { role: 'ASC', name: 'ASC' } });
    return rows.map(view);
  }

  async create(dto: CreateStaffDto): Promise<StaffView> {
    const { password, ...rest } = dto;
    const repo = this.ds.getRepository(StaffEntity);
    try {
      const saved = await repo.save(repo.create({ ...rest, passwordHash: await hashPassword(password), active: true }));
      return view(saved);
    } catch (err) {
      const constraint =
        err instanceof QueryFailedError ? (err.driverError as { constraint?: string }).constraint : undefined;
      if (constraint === 'uq_staff_login') throw new AppException('conflict', `The login "${dto.login}" is taken.`);
      if (constraint === 'fk_staff_department' || constraint === 'fk_staff_reports_to') {
        throw new AppException('validation_failed', 'The department or manager does not exist.', {
          fields: [{ field: 'departmentId/reportsToId', message: 'does not exist' }],
        });
      }
      throw err;
    }
  }
}
