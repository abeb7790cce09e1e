import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService, TokenExpiredError } from '@nestjs/jwt';
import type { Request } from 'express';
import { staffRoles, type StaffRole } from '../database/entities/enums';
import { AppException } from '../errors/app.exception';
import { IS_PUBLIC, ROLES, type StaffPrincipal } from './auth.decorators';

interface TokenClaims {
  sub: string;
  role: string;
  name: string;
  typ?: string;
}

/** Global guard: bearer token required unless @Public(); @Roles() checked after. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<string | undefined>(IS_PUBLIC, targets)) return true;
    const req = ctx.switchToHttp().getRequest<Request & { staff?: StaffPrincipal }>();
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
    const staff: StaffPrincipal = { id: claims.sub, role: claims.role as StaffRole, name: claims.name };
    req.staff = staff;
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
