import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { jsonSchema } from '../http/openapi';
import { ZodValidationPipe } from '../errors/zod-validation.pipe';
import { CurrentStaff, Public, type StaffPrincipal } from './auth.decorators';
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
  @ApiOperation({ summary: 'Log in: returns a short-lived bearer token accepted by all three apps' })
  @ApiBody({ schema: jsonSchema(loginSchema) })
  login(@Body(new ZodValidationPipe(loginSchema)) body: z.output<typeof loginSchema>): Promise<LoginResult> {
    return this.auth.login(body.login, body.password);
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'A new token for the signed-in staff member (the console renews its session with it while in use)',
  })
  refresh(@CurrentStaff() staff: StaffPrincipal): Promise<LoginResult> {
    return this.auth.refresh(staff);
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The staff member the token belongs to' })
  me(@CurrentStaff() staff: StaffPrincipal): StaffPrincipal {
    return staff;
  }
}
