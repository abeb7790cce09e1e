import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import {
  clientIp,
  CurrentStaff,
  jsonSchema,
  Roles,
  ZodValidationPipe,
  type LoginResult,
  type StaffPrincipal,
} from '@kefu/shared';
import {
  changeOwnPasswordSchema,
  changeRoleSchema,
  createStaffSchema,
  resetPasswordSchema,
  type ChangeOwnPasswordDto,
  type ChangeRoleDto,
  type CreateStaffDto,
  type ResetPasswordDto,
} from './staff.dto';
import { StaffService, type PasswordResetResult, type StaffView } from './staff.service';

const uuid = new ParseUUIDPipe();

@ApiTags('staff')
@ApiBearerAuth()
@Controller('api/v1/staff')
export class StaffController {
  constructor(private readonly staff: StaffService) {}

  @Get()
  @Roles('dept_manager', 'vice_gm', 'gm')
  @ApiOperation({ summary: 'All staff with roles, reporting lines and last login (managers and admins)' })
  list(): Promise<StaffView[]> {
    return this.staff.list();
  }

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Create a staff account (admin)' })
  @ApiBody({ schema: jsonSchema(createStaffSchema) })
  create(
    @Body(new ZodValidationPipe(createStaffSchema)) dto: CreateStaffDto,
    @CurrentStaff() actor: StaffPrincipal,
  ): Promise<StaffView> {
    return this.staff.create(dto, actor);
  }

  // Before the `:id` routes: "me" is no uuid, but Express matches in declaration order.
  @Post('me/password')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Change your own password (any staff member; needs the current one)',
    description: 'Your other sessions end; this one goes on with the token in the answer.',
  })
  @ApiBody({ schema: jsonSchema(changeOwnPasswordSchema) })
  changeOwnPassword(
    @Body(new ZodValidationPipe(changeOwnPasswordSchema)) dto: ChangeOwnPasswordDto,
    @CurrentStaff() me: StaffPrincipal,
    @Req() req: Request,
  ): Promise<LoginResult> {
    return this.staff.changeOwnPassword(me, dto, clientIp(req));
  }

  @Post(':id/deactivate')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Deactivate an account (admin): it cannot log in, and its tokens stop within a minute' })
  deactivate(@Param('id', uuid) id: string, @CurrentStaff() actor: StaffPrincipal): Promise<StaffView> {
    return this.staff.deactivate(id, actor);
  }

  @Post(':id/reactivate')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Reactivate an account (admin)' })
  reactivate(@Param('id', uuid) id: string, @CurrentStaff() actor: StaffPrincipal): Promise<StaffView> {
    return this.staff.reactivate(id, actor);
  }

  @Post(':id/role')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: "Change an account's role (admin): its sessions end, it logs in again with the new role" })
  @ApiBody({ schema: jsonSchema(changeRoleSchema) })
  changeRole(
    @Param('id', uuid) id: string,
    @Body(new ZodValidationPipe(changeRoleSchema)) dto: ChangeRoleDto,
    @CurrentStaff() actor: StaffPrincipal,
  ): Promise<StaffView> {
    return this.staff.changeRole(id, dto.role, actor);
  }

  @Post(':id/password')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary: "Reset an account's password (admin): the one given, or a generated one shown once in the answer",
    description: "The account's sessions end.",
  })
  @ApiBody({ schema: jsonSchema(resetPasswordSchema) })
  resetPassword(
    @Param('id', uuid) id: string,
    @Body(new ZodValidationPipe(resetPasswordSchema)) dto: ResetPasswordDto,
    @CurrentStaff() actor: StaffPrincipal,
  ): Promise<PasswordResetResult> {
    return this.staff.resetPassword(id, dto, actor);
  }
}
