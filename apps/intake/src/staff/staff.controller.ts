import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { jsonSchema, Roles, ZodValidationPipe } from '@kefu/shared';
import { createStaffSchema, type CreateStaffDto } from './staff.dto';
import { StaffService, type StaffView } from './staff.service';

@ApiTags('staff')
@ApiBearerAuth()
@Controller('api/v1/staff')
export class StaffController {
  constructor(private readonly staff: StaffService) {}

  @Get()
  @Roles('dept_manager', 'vice_gm', 'gm')
  @ApiOperation({ summary: 'All staff with roles and reporting lines (managers and admins)' })
  list(): Promise<StaffView[]> {
    return this.staff.list();
  }

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Create a staff account (admin)' })
  @ApiBody({ schema: jsonSchema(createStaffSchema) })
  create(@Body(new ZodValidationPipe(createStaffSchema)) dto: CreateStaffDto): Promise<StaffView> {
    return this.staff.create(dto);
  }
}
