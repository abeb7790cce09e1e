import { Controller, Get, Inject, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import {
  APP_CONFIG,
  CurrentStaff,
  retentionPeriods,
  Roles,
  ZodValidationPipe,
  type AppConfig,
  type StaffPrincipal,
} from '@kefu/shared';
import { RetentionPurgeService, runColumns, type RetentionRunView } from './retention-purge.service';

const runsQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });

/** The records-retention purge as managers see it: the periods with their rules, and each run with its counts. */
@ApiTags('retention')
@ApiBearerAuth()
@Controller('api/v1/retention')
export class RetentionController {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly purge: RetentionPurgeService,
  ) {}

  @Get('runs')
  @Roles('dept_manager', 'vice_gm', 'gm')
  @ApiOperation({ summary: 'Retention purge runs, newest first: what each removed, how many, and the cutoffs used' })
  runs(
    @Query(new ZodValidationPipe(runsQuerySchema)) q: z.output<typeof runsQuerySchema>,
  ): Promise<RetentionRunView[]> {
    return this.ds.query<RetentionRunView[]>(
      `SELECT ${runColumns} FROM retention_runs ORDER BY started_at DESC LIMIT $1`,
      [q.limit],
    );
  }

  @Post('runs')
  @Roles('admin')
  @ApiOperation({ summary: 'Run the purge now (admin); it also runs daily at 03:30. 409 while a run is going' })
  run(@CurrentStaff() staff: StaffPrincipal): Promise<RetentionRunView> {
    return this.purge.run('staff', staff.id);
  }

  @Get('periods')
  @Roles('dept_manager', 'vice_gm', 'gm')
  @ApiOperation({
    summary: 'How long each kind of record is kept, from when, the rule it comes from, what happens then',
  })
  periods() {
    return retentionPeriods(this.config);
  }
}
