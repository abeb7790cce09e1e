import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { z } from 'zod';
import { jsonSchema, Roles, ZodValidationPipe, type WarrantySeasonEntity } from '@kefu/shared';
import {
  catalogueQuerySchema,
  itemBodySchema,
  itemParamSchema,
  noticesQuerySchema,
  seasonBodySchema,
  seasonParamSchema,
  upcomingQuerySchema,
  type ItemBody,
} from './warranty.dto';
import { noticesCsv, WarrantyService, type CatalogueItem, type NoticeRow, type UpcomingRow } from './warranty.service';

const editors = ['gm', 'vice_gm', 'dept_manager'] as const;

@ApiTags('warranty')
@ApiBearerAuth()
@Controller('api/v1/warranty')
export class WarrantyController {
  constructor(private readonly warranty: WarrantyService) {}

  @Get('catalogue')
  @ApiOperation({
    summary: "The warranty catalogue: the defaults, or an estate's effective items (its own figures over the defaults)",
  })
  catalogue(
    @Query(new ZodValidationPipe(catalogueQuerySchema)) q: z.output<typeof catalogueQuerySchema>,
  ): Promise<CatalogueItem[]> {
    return this.warranty.catalogue(q.projectId);
  }

  @Put('catalogue/:projectId/:code')
  @Roles(...editors)
  @ApiOperation({
    summary:
      "An estate's own figure for an item (e.g. from its 住宅质量保证书), or a new item; fields not given keep the default",
  })
  @ApiBody({ schema: jsonSchema(itemBodySchema) })
  upsertItem(
    @Param(new ZodValidationPipe(itemParamSchema)) p: z.output<typeof itemParamSchema>,
    @Body(new ZodValidationPipe(itemBodySchema)) body: ItemBody,
  ): Promise<CatalogueItem> {
    return this.warranty.upsertItem(p.projectId, p.code, body);
  }

  @Delete('catalogue/:projectId/:code')
  @HttpCode(204)
  @Roles(...editors)
  @ApiOperation({ summary: 'Back to the default figure for that item' })
  resetItem(@Param(new ZodValidationPipe(itemParamSchema)) p: z.output<typeof itemParamSchema>): Promise<void> {
    return this.warranty.resetItem(p.projectId, p.code);
  }

  @Get('seasons')
  @ApiOperation({ summary: "Heating and cooling seasons per city ('*' = default)" })
  seasons(): Promise<WarrantySeasonEntity[]> {
    return this.warranty.seasons();
  }

  @Put('seasons/:city')
  @Roles(...editors)
  @ApiOperation({ summary: "A city's heating and cooling season dates (MM-DD)" })
  @ApiBody({ schema: jsonSchema(seasonBodySchema) })
  upsertSeason(
    @Param(new ZodValidationPipe(seasonParamSchema)) p: z.output<typeof seasonParamSchema>,
    @Body(new ZodValidationPipe(seasonBodySchema)) body: z.output<typeof seasonBodySchema>,
  ): Promise<WarrantySeasonEntity> {
    return this.warranty.upsertSeason(p.city, body);
  }

  @Get('notices')
  @ApiOperation({
    summary:
      "An estate's warranty-expiry notices by due day (default the last 60 days), to post and to plan repairs; format=csv for Excel",
  })
  @ApiProduces('application/json', 'text/csv')
  async notices(
    @Query(new ZodValidationPipe(noticesQuerySchema)) q: z.output<typeof noticesQuerySchema>,
    @Res({ passthrough: true }) res: Response,
  ): Promise<NoticeRow[] | string> {
    const rows = await this.warranty.notices(q.projectId, q.from, q.to);
    if (q.format === 'json') return rows;
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="warranty-notices.csv"');
    return noticesCsv(rows);
  }

  @Get('upcoming')
  @ApiOperation({ summary: 'Notices due in the next N days (default 60) for an estate: what the daily scan will send' })
  upcoming(
    @Query(new ZodValidationPipe(upcomingQuerySchema)) q: z.output<typeof upcomingQuerySchema>,
  ): Promise<UpcomingRow[]> {
    return this.warranty.upcoming(q.projectId, q.days);
  }
}
