import { Body, Controller, HttpCode, Param, Put } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { AppException, jsonSchema, Roles, ZodValidationPipe } from '@kefu/shared';

const paramSchema = z.object({ id: z.uuid() });
const bodySchema = z.object({ optOut: z.boolean() }).strict();

/** An owner's wish to get no greetings or other marketing (holiday_greeting notices leave them out); safety alerts still reach them. */
@ApiTags('notices')
@ApiBearerAuth()
@Controller('api/v1/owners')
export class OwnerMarketingController {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  @Put(':id/marketing-opt-out')
  @HttpCode(200)
  @Roles('cs_rep', 'dept_manager', 'vice_gm', 'gm', 'admin')
  @ApiOperation({ summary: "Record an owner's marketing opt-out (greetings), or lift it" })
  @ApiBody({ schema: jsonSchema(bodySchema) })
  async set(
    @Param(new ZodValidationPipe(paramSchema)) p: z.output<typeof paramSchema>,
    @Body(new ZodValidationPipe(bodySchema)) body: z.output<typeof bodySchema>,
  ): Promise<{ id: string; marketingOptOut: boolean }> {
    const [rows] = await this.ds.query<[Array<{ id: string }>, number]>(
      `UPDATE owners SET marketing_opt_out = $2, updated_at = now() WHERE id = $1 AND erased_at IS NULL RETURNING id`,
      [p.id, body.optOut],
    );
    if (!rows.length) throw new AppException('not_found', 'No such owner.');
    return { id: p.id, marketingOptOut: body.optOut };
  }
}
