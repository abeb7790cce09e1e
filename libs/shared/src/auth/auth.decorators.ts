import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { StaffRole } from '../database/entities/enums';

export const IS_PUBLIC = 'kefu:isPublic';
export const ROLES = 'kefu:roles';

/**
 * Marks an endpoint as reachable without a staff token (web form, provider webhooks, signed links,
 * health). Everything not marked requires one: the guard is global.
 */
export const Public = (reason: string) => SetMetadata(IS_PUBLIC, reason);

/** Restricts an endpoint to these roles (admin passes every role check). */
export const Roles = (...roles: StaffRole[]) => SetMetadata(ROLES, roles);

/** The authenticated staff member, as carried by the token. */
export interface StaffPrincipal {
  id: string;
  role: StaffRole;
  name: string;
}

/** The session a token belongs to: the account's token version and the login it started with. */
export interface TokenSession {
  tokenVersion: number;
  /** When the session's login happened (`auth_time`): refresh renews no further than AUTH_SESSION_MAX_HOURS after it. */
  authTime: Date;
}

/** What the guard puts on a request it let through. */
export type AuthenticatedRequest = Request & { staff?: StaffPrincipal; tokenSession?: TokenSession };

export const CurrentStaff = createParamDecorator((_: unknown, ctx: ExecutionContext): StaffPrincipal => {
  const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!req.staff) throw new Error('CurrentStaff used on a public endpoint');
  return req.staff;
});

export const CurrentSession = createParamDecorator((_: unknown, ctx: ExecutionContext): TokenSession => {
  const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!req.tokenSession) throw new Error('CurrentSession used on a public endpoint');
  return req.tokenSession;
});
