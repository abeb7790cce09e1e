import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { CurrentStaff, Roles, ZodValidationPipe, type StaffPrincipal } from '@kefu/shared';
import {
  listWriteupsSchema,
  searchSchema,
  shareSchema,
  writeupSchema,
  type ListWriteupsQuery,
  type SearchQuery,
  type ShareBody,
  type WriteupBody,
} from './case-library.dto';
import { writeupsCsv, writeupsXlsx } from './case-library-export';
import { CaseSearchService } from './case-search.service';
import { CaseWriteupsService } from './case-writeups.service';

const uuid = new ParseUUIDPipe();

/**
 * 案例库. Customer-service staff and managers; not operators (they take calls, and case texts quote owners' contact
 * details beyond their own calls). Admin passes every role check.
 */
@ApiTags('case-library')
@ApiBearerAuth()
@Controller('api/v1/case-library')
@Roles('cs_rep', 'dept_manager', 'vice_gm', 'gm')
export class CaseLibraryController {
  constructor(
    private readonly searchService: CaseSearchService,
    private readonly writeups: CaseWriteupsService,
  ) {}

  @Get('search')
  @ApiOperation({
    summary:
      'Search write-ups and every case text (description, notes, replies, results, mails) in Chinese: every word of q (jieba) must occur; typical=true for write-ups only',
  })
  search(@Query(new ZodValidationPipe(searchSchema)) q: SearchQuery) {
    return this.searchService.search(q);
  }

  @Get('departments')
  @ApiOperation({ summary: 'The departments a write-up may be shared with' })
  async departments() {
    return { departments: await this.writeups.departments() };
  }

  @Get('writeups')
  @ApiOperation({ summary: 'Write-ups of typical cases, newest first; filter by tag; format=csv or xlsx to export' })
  @ApiProduces('application/json', 'text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  async list(
    @Query(new ZodValidationPipe(listWriteupsSchema)) q: ListWriteupsQuery,
    @Res({ passthrough: true }) res: Response,
  ) {
    const rows = await this.writeups.list(q.tag);
    if (q.format === 'json') return { writeups: rows };
    const day = new Date().toISOString().slice(0, 10);
    res.setHeader('Content-Disposition', `attachment; filename="case-library-${day}.${q.format}"`);
    if (q.format === 'csv') {
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      return writeupsCsv(rows);
    }
    res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    res.end(await writeupsXlsx(rows));
    return undefined;
  }

  @Get('writeups/:id')
  @ApiOperation({ summary: 'One write-up, with the departments it was shared with' })
  get(@Param('id', uuid) id: string) {
    return this.writeups.get(id);
  }

  @Get('cases/:caseId/writeup')
  @ApiOperation({ summary: "A case's write-up, or null when the case is not marked typical" })
  async forCase(@Param('caseId', uuid) caseId: string) {
    return { writeup: await this.writeups.forCase(caseId) };
  }

  @Put('cases/:caseId/writeup')
  @ApiOperation({
    summary: 'Mark a case typical with its write-up (problem, cause, handling, lesson, tags), or rewrite it',
  })
  async save(
    @Param('caseId', uuid) caseId: string,
    @Body(new ZodValidationPipe(writeupSchema)) b: WriteupBody,
    @CurrentStaff() s: StaffPrincipal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { writeup, created } = await this.writeups.save(caseId, b, s);
    res.status(created ? 201 : 200);
    return writeup;
  }

  @Delete('writeups/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'No longer typical: remove the write-up' })
  async remove(@Param('id', uuid) id: string) {
    await this.writeups.remove(id);
  }

  @Post('writeups/:id/share')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Share a write-up with departments: each active member of their staff gets a message, once',
  })
  share(
    @Param('id', uuid) id: string,
    @Body(new ZodValidationPipe(shareSchema)) b: ShareBody,
    @CurrentStaff() s: StaffPrincipal,
  ) {
    return this.writeups.share(id, b, s);
  }
}
