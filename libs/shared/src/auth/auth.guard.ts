import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService, TokenExpiredError } from '@nestjs/jwt';
import { staffRoles, type StaffRole } from '../database/entities/enums';
import { AppException } from '../errors/app.exception';
import { IS_PUBLIC, ROLES, type AuthenticatedRequest, type StaffPrincipal } from './auth.decorators';
import { StaffStateCache } from './staff-state.cache';

interface TokenClaims {
  sub: string;
  role: string;
  name: string;
  typ?: string;
  /** The account's token version when issued (tokens from before versions: 0). */
  ver?: number;
  /** The session's login, unix seconds (tokens from before: their `iat`). */
  auth_time?: number;
  iat?: number;
}

/**
 * Global guard: bearer token required unless @Public(); the token's account must still be active and on the token's
 * version (StaffStateCache: known to every app within AUTH_STAFF_CACHE_SECONDS of a change); @Roles() checked after.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    private readonly states: StaffStateCache,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<string | undefined>(IS_PUBLIC, targets)) return true;
    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1])
      throw new AppException(
        'unauthenticated',
        'Log in first: this endpoint needs an `Authorization: Bearer <token>` header.',
      );
    let claims: TokenClaims;
    try {
      claims = await this.jwt.verifyAsync<TokenClaims>(match[1], { algorithms: ['HS256'] });
    } catch (err) {
      if (err instanceof TokenExpiredError)
        throw new AppException('token_expired', 'Your session has expired; log in again.');
      throw new AppException('unauthenticated', 'The bearer token is not valid.');
    }
    if (claims.typ !== 'staff' || !staffRoles.includes(claims.role as StaffRole)) {
      throw new AppException('unauthenticated', 'The bearer token is not valid.');
    }
    const tokenVersion = typeof claims.ver === 'number' ? claims.ver : 0;
    const state = await this.states.get(claims.sub);
    if (!state || !state.active || state.tokenVersion !== tokenVersion) {
      throw new AppException(
        'unauthenticated',
        'Your session was ended: the account was deactivated or changed (role, password). Log in again.',
      );
    }
    const staff: StaffPrincipal = { id: claims.sub, role: claims.role as StaffRole, name: claims.name };
    req.staff = staff;
    req.tokenSession = { tokenVersion, authTime: new Date((claims.auth_time ?? claims.iat ?? 0) * 1000) };
    const roles = this.reflector.getAllAndOverride<StaffRole[] | undefined>(ROLES, targets);
    if (roles && staff.role !== 'admin' && !roles.includes(staff.role)) {
      throw new AppException(
        'forbidden',
        `This action needs one of the roles: ${roles.join(', ')}; you are ${staff.role}.`,
      );
    }
    return true;
  }
}
