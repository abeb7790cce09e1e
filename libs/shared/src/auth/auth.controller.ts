import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { jsonSchema } from '../http/openapi';
import { ZodValidationPipe } from '../errors/zod-validation.pipe';
import type { Request } from 'express';
import { clientIp } from '../http/client-address';
import { CurrentSession, CurrentStaff, Public, type StaffPrincipal, type TokenSession } from './auth.decorators';
import { AuthService, type LoginResult } from './auth.service';

const loginSchema = z.object({
  login: z.string().trim().min(1, 'is required').max(60),
  password: z.string().min(1, 'is required').max(200),
});

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @HttpCode(200)
  @Public('staff log in here to get a token')
  @ApiOperation({
    summary: 'Log in: returns a short-lived bearer token accepted by all three apps',
    description:
      'Too many tries for one login or from one address (AUTH_LOGIN_MAX_FAILURES / AUTH_ADDRESS_MAX_FAILURES within AUTH_FAILURE_WINDOW_MINUTES) answer 429 `too_many_attempts` with Retry-After until the lockout passes; each further lockout doubles.',
  })
  @ApiBody({ schema: jsonSchema(loginSchema) })
  login(
    @Body(new ZodValidationPipe(loginSchema)) body: z.output<typeof loginSchema>,
    @Req() req: Request,
  ): Promise<LoginResult> {
    return this.auth.login(body.login, body.password, clientIp(req));
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'A new token for the signed-in staff member (the console renews its session with it while in use)',
    description:
      'Not past AUTH_SESSION_MAX_HOURS after the login the session started with, nor after the account changed.',
  })
  refresh(@CurrentStaff() staff: StaffPrincipal, @CurrentSession() session: TokenSession): Promise<LoginResult> {
    return this.auth.refresh(staff, session);
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The staff member the token belongs to' })
  me(@CurrentStaff() staff: StaffPrincipal): StaffPrincipal {
    return staff;
  }
}
