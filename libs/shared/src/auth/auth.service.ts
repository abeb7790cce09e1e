import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config';
import { StaffEntity } from '../database/entities';
import { AppException } from '../errors/app.exception';
import { CLOCK, type Clock } from '../util/clock';
import { recordAuthEvent } from './auth-events';
import type { StaffPrincipal, TokenSession } from './auth.decorators';
import { LoginThrottle } from './login-throttle';
import { PasswordGate } from './password-gate';
import { verifyPassword } from './password';

export interface LoginResult {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  staff: StaffPrincipal;
}

// Verifying against a fixed hash when the login is unknown keeps response times equal.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

@Injectable()
export class AuthService {
  private readonly gate = new PasswordGate();

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly jwt: JwtService,
    private readonly throttle: LoginThrottle,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Checks a password, after the login throttle (see LoginThrottle) allowed the try. Every failure, lockout and
   * success is written to auth_events with the login as typed and the client address.
   */
  async login(login: string, password: string, clientAddress: string): Promise<LoginResult> {
    const typed = login.trim().toLowerCase();
    const staff = await this.checkPassword(typed, password, clientAddress);
    if (!staff) throw new AppException('invalid_credentials', 'Wrong login or password.');
    const now = this.clock.now();
    await this.ds.query(`UPDATE staff SET last_login_at = $2 WHERE id = $1`, [staff.id, now]);
    await recordAuthEvent(this.ds, { kind: 'login_succeeded', login: typed, staffId: staff.id, clientAddress });
    return this.issue(
      { id: staff.id, role: staff.role, name: staff.name },
      { tokenVersion: staff.tokenVersion, authTime: now },
    );
  }

  /**
   * The active account `login` names if `password` is its password, else null (a failure, written to auth_events);
   * throws 429 `too_many_attempts` while the login or the address is locked out. Under the login throttle, like a
   * login: changing one's own password checks the current one here too.
   */
  async checkPassword(
    login: string,
    password: string,
    clientAddress: string,
    context: Record<string, unknown> = {},
  ): Promise<StaffEntity | null> {
    const reservation = await this.throttle.reserve(login, clientAddress);
    if (!reservation.allowed) {
      for (const lock of reservation.lockedNow) {
        await recordAuthEvent(this.ds, {
          kind: 'login_locked',
          login,
          clientAddress,
          details: { ...context, scope: lock.scope, lockedSeconds: lock.seconds },
        });
      }
      const s = reservation.retryAfterSeconds;
      throw new AppException(
        'too_many_attempts',
        `Too many login attempts for this login or from this address; try again in ${s < 120 ? `${s} seconds` : `${Math.ceil(s / 60)} minutes`}.`,
        { retryAfterSeconds: s },
      );
    }
    let staff: StaffEntity | null = null;
    let ok = false;
    try {
      staff = await this.ds
        .getRepository(StaffEntity)
        .createQueryBuilder('s')
        .addSelect('s.passwordHash')
        .where('s.login = :login', { login })
        .getOne();
      const hash = staff?.passwordHash ?? DUMMY_HASH;
      ok = (await this.gate.run(reservation.addressTries, () => verifyPassword(password, hash))) && !!staff?.active;
    } finally {
      await this.throttle.settle(reservation, ok);
    }
    if (staff && ok) return staff;
    await recordAuthEvent(this.ds, { kind: 'login_failed', login, clientAddress, details: context });
    return null;
  }

  /**
   * A fresh token for a signed-in staff member, read again from the database: a deactivated account, or one changed
   * since the token was issued (its token version moved on), gets none; nor does a session older than
   * AUTH_SESSION_MAX_HOURS — the new token keeps the login time and ends with the session at the latest.
   */
  async refresh(principal: StaffPrincipal, session: TokenSession): Promise<LoginResult> {
    const staff = await this.ds.getRepository(StaffEntity).findOneBy({ id: principal.id });
    if (!staff || !staff.active)
      throw new AppException('unauthenticated', 'This account is no longer active; ask an administrator.');
    if (staff.tokenVersion !== session.tokenVersion)
      throw new AppException('unauthenticated', 'Your account was changed since you logged in; log in again.');
    if (this.sessionSecondsLeft(session.authTime) <= 0)
      throw new AppException(
        'token_expired',
        `Sessions last at most ${this.config.AUTH_SESSION_MAX_HOURS} hours from logging in; log in again.`,
      );
    return this.issue(
      { id: staff.id, role: staff.role, name: staff.name },
      { tokenVersion: staff.tokenVersion, authTime: session.authTime },
    );
  }

  /**
   * A token for this staff member. `tokenVersion` defaults to the account's current one, `authTime` (the login the
   * session started with) to now; the token never outlives the session.
   */
  async issue(staff: StaffPrincipal, session: Partial<TokenSession> = {}): Promise<LoginResult> {
    const tokenVersion = session.tokenVersion ?? (await this.currentVersion(staff.id));
    const authTime = session.authTime ?? this.clock.now();
    const expiresIn = Math.max(1, Math.min(this.config.AUTH_TOKEN_TTL_SECONDS, this.sessionSecondsLeft(authTime)));
    const accessToken = await this.jwt.signAsync(
      {
        sub: staff.id,
        role: staff.role,
        name: staff.name,
        typ: 'staff',
        ver: tokenVersion,
        auth_time: Math.floor(authTime.getTime() / 1000),
      },
      { algorithm: 'HS256', expiresIn },
    );
    return { accessToken, tokenType: 'Bearer', expiresIn, staff };
  }

  private sessionSecondsLeft(authTime: Date): number {
    const end = authTime.getTime() + this.config.AUTH_SESSION_MAX_HOURS * 3600_000;
    return Math.floor((end - this.clock.now().getTime()) / 1000);
  }

  private async currentVersion(staffId: string): Promise<number> {
    const rows = await this.ds.query<Array<{ token_version: number }>>(
      `SELECT token_version FROM staff WHERE id = $1`,
      [staffId],
    );
    return rows[0]?.token_version ?? 0;
  }
}
