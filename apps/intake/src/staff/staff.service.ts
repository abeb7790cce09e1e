import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { QueryFailedError, type DataSource, type EntityManager } from 'typeorm';
import {
  AppException,
  AuthService,
  generatePassword,
  hashPassword,
  recordAuthEvent,
  StaffEntity,
  StaffStateCache,
  type AuthEventKind,
  type LoginResult,
  type StaffPrincipal,
  type StaffRole,
} from '@kefu/shared';
import type { ChangeOwnPasswordDto, CreateStaffDto, ResetPasswordDto } from './staff.dto';

export type StaffView = Pick<
  StaffEntity,
  'id' | 'login' | 'name' | 'role' | 'departmentId' | 'reportsToId' | 'mobile' | 'email' | 'active' | 'lastLoginAt'
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
  lastLoginAt: s.lastLoginAt,
});

export interface PasswordResetResult {
  staff: StaffView;
  /** The generated password, shown this once (null when the admin chose one). */
  generatedPassword: string | null;
}

/**
 * Staff accounts: creation and the admin's lifecycle changes (deactivate, reactivate, role, password reset) and
 * anyone's own password change. Each change is one transaction with its auth_events row; those that must end the
 * account's sessions bump `token_version` (every app's guard notices within AUTH_STAFF_CACHE_SECONDS).
 */
@Injectable()
export class StaffService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly auth: AuthService,
    private readonly states: StaffStateCache,
  ) {}

  async list(): Promise<StaffView[]> {
    const rows = await this.ds.getRepository(StaffEntity).find({ order: { role: 'ASC', name: 'ASC' } });
    return rows.map(view);
  }

  async create(dto: CreateStaffDto, actor: StaffPrincipal): Promise<StaffView> {
    const { password, ...rest } = dto;
    const passwordHash = await hashPassword(password);
    try {
      return await this.ds.transaction(async (m) => {
        const repo = m.getRepository(StaffEntity);
        const saved = await repo.save(repo.create({ ...rest, passwordHash, active: true }));
        await this.audit(m, 'staff_created', actor, saved, { role: saved.role });
        return view(saved);
      });
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

  deactivate(id: string, actor: StaffPrincipal): Promise<StaffView> {
    return this.change(id, async (m, s) => {
      if (!s.active) return s;
      await this.keepAnAdmin(m, s, 'deactivate');
      s.active = false;
      s.tokenVersion += 1;
      await this.audit(m, 'staff_deactivated', actor, s);
      return s;
    });
  }

  reactivate(id: string, actor: StaffPrincipal): Promise<StaffView> {
    return this.change(id, async (m, s) => {
      if (s.active) return s;
      s.active = true;
      await this.audit(m, 'staff_reactivated', actor, s);
      return s;
    });
  }

  changeRole(id: string, role: StaffRole, actor: StaffPrincipal): Promise<StaffView> {
    return this.change(id, async (m, s) => {
      if (s.role === role) return s;
      if (role !== 'admin') await this.keepAnAdmin(m, s, 'demote');
      const from = s.role;
      s.role = role;
      s.tokenVersion += 1;
      await this.audit(m, 'role_changed', actor, s, { from, to: role });
      return s;
    });
  }

  async resetPassword(id: string, dto: ResetPasswordDto, actor: StaffPrincipal): Promise<PasswordResetResult> {
    const generated = dto.password === undefined ? generatePassword() : null;
    const hash = await hashPassword(dto.password ?? generated!);
    const staff = await this.change(id, async (m, s) => {
      await m.update(StaffEntity, { id: s.id }, { passwordHash: hash });
      s.tokenVersion += 1;
      await this.audit(m, 'password_reset', actor, s, { generated: generated !== null });
      return s;
    });
    return { staff, generatedPassword: generated };
  }

  /**
   * The signed-in staff member's own password, given the current one (checked under the login throttle). Other
   * sessions end (the token version moves on); this one continues with the token returned.
   */
  async changeOwnPassword(me: StaffPrincipal, dto: ChangeOwnPasswordDto, clientAddress: string): Promise<LoginResult> {
    const account = await this.ds.getRepository(StaffEntity).findOneBy({ id: me.id });
    if (!account) throw new AppException('not_found', 'This account no longer exists.');
    const checked = await this.auth.checkPassword(account.login, dto.currentPassword, clientAddress, {
      during: 'password_change',
    });
    if (!checked)
      throw new AppException('validation_failed', 'The current password is wrong.', {
        fields: [{ field: 'currentPassword', message: 'is wrong' }],
      });
    const hash = await hashPassword(dto.newPassword);
    const staff = await this.ds.transaction(async (m) => {
      const s = await this.locked(m, me.id);
      s.tokenVersion += 1;
      await m.update(StaffEntity, { id: s.id }, { passwordHash: hash, tokenVersion: s.tokenVersion });
      await recordAuthEvent(m, {
        kind: 'password_changed',
        login: s.login,
        staffId: s.id,
        actorId: me.id,
        clientAddress,
      });
      return s;
    });
    this.states.forget(staff.id);
    return this.auth.issue({ id: staff.id, role: staff.role, name: staff.name }, { tokenVersion: staff.tokenVersion });
  }

  /**
   * Applies `fn` to the account in a transaction and saves what it changed. Admins' changes to accounts take one
   * lock first (they are rare), so two admins deactivating each other at once are judged one after the other.
   */
  private async change(id: string, fn: (m: EntityManager, s: StaffEntity) => Promise<StaffEntity>): Promise<StaffView> {
    const saved = await this.ds.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('kefu:staff-changes'))`);
      const s = await this.locked(m, id);
      const before = { active: s.active, role: s.role, tokenVersion: s.tokenVersion };
      const after = await fn(m, s);
      if (after.active !== before.active || after.role !== before.role || after.tokenVersion !== before.tokenVersion) {
        await m.update(
          StaffEntity,
          { id: s.id },
          { active: after.active, role: after.role, tokenVersion: after.tokenVersion },
        );
      }
      return after;
    });
    this.states.forget(saved.id);
    return view(saved);
  }

  private async locked(m: EntityManager, id: string): Promise<StaffEntity> {
    const s = await m.getRepository(StaffEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!s) throw new AppException('not_found', 'No such staff member.');
    return s;
  }

  /** Refuses to leave the installation without an active admin (under `change`'s lock). */
  private async keepAnAdmin(m: EntityManager, s: StaffEntity, what: 'deactivate' | 'demote'): Promise<void> {
    if (s.role !== 'admin' || !s.active) return;
    const [row] = await m.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM staff WHERE role = 'admin' AND active`,
    );
    if ((row?.n ?? 0) <= 1)
      throw new AppException(
        'conflict',
        `${s.login} is the last active admin: make another admin first, then ${what === 'deactivate' ? 'deactivate' : 'change the role of'} this account.`,
      );
  }

  private audit(
    m: EntityManager,
    kind: AuthEventKind,
    actor: StaffPrincipal,
    target: StaffEntity,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    return recordAuthEvent(m, { kind, login: target.login, staffId: target.id, actorId: actor.id, details });
  }
}
