import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config';
import { StaffEntity } from '../database/entities';
import { AppException } from '../errors/app.exception';
import type { StaffPrincipal } from './auth.decorators';
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
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async login(login: string, password: string): Promise<LoginResult> {
    const staff = await this.ds
      .getRepository(StaffEntity)
      .createQueryBuilder('s')
      .addSelect('s.passwordHash')
      .where('s.login = :login', { login: login.trim().toLowerCase() })
      .getOne();
    const ok = await verifyPassword(password, staff?.passwordHash ?? DUMMY_HASH);
    if (!staff || !ok || !staff.active || !staff.passwordHash) {
      throw new AppException('invalid_credentials', 'Wrong login or password.');
    }
    return this.issue({ id: staff.id, role: staff.role, name: staff.name });
  }

  /** A fresh token for a signed-in staff member, read again from the database: a deactivated account or a changed role takes effect here. */
  async refresh(principal: StaffPrincipal): Promise<LoginResult> {
    const staff = await this.ds.getRepository(StaffEntity).findOneBy({ id: principal.id });
    if (!staff || !staff.active)
      throw new AppException('unauthenticated', 'This account is no longer active; ask an administrator.');
    return this.issue({ id: staff.id, role: staff.role, name: staff.name });
  }

  async issue(staff: StaffPrincipal): Promise<LoginResult> {
    const accessToken = await this.jwt.signAsync(
      { sub: staff.id, role: staff.role, name: staff.name, typ: 'staff' },
      { algorithm: 'HS256', expiresIn: this.config.AUTH_TOKEN_TTL_SECONDS },
    );
    return { accessToken, tokenType: 'Bearer', expiresIn: this.config.AUTH_TOKEN_TTL_SECONDS, staff };
  }
}
