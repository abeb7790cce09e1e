import {
  Body,
  Controller,
  Get,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  Req,
  Res,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import { CurrentStaff, jsonSchema, Roles, ZodValidationPipe, type StaffPrincipal } from '@kefu/shared';
import { PHOTO_MAX_BYTES } from '../web-form/photos';
import { SoftUploadsInterceptor, UploadedParts, type Uploads } from '../web-form/uploads';
import {
  collectionSchema,
  createBoxSchema,
  historySchema,
  listBoxesSchema,
  parseCollection,
  updateBoxSchema,
  type CreateBoxDto,
  type ListBoxesQuery,
  type UpdateBoxDto,
} from './suggestion-box.dto';
import {
  SLIP_PHOTOS_MAX,
  SuggestionBoxService,
  uploadFailure,
  type BoxView,
  type CollectionView,
} from './suggestion-box.service';

const uuid = new ParseUUIDPipe();
/** Who reads the boxes and their history: everyone who handles cases. */
const readers = ['operator', 'cs_rep', 'dept_manager', 'vice_gm', 'gm'] as const;

@ApiTags('suggestion-boxes')
@ApiBearerAuth()
@Controller('api/v1/suggestion-boxes')
export class SuggestionBoxController {
  constructor(private readonly boxes: SuggestionBoxService) {}

  @Post()
  @Roles('cs_rep', 'dept_manager')
  @ApiOperation({ summary: 'Set up a box in an estate (one per location)' })
  @ApiBody({ schema: jsonSchema(createBoxSchema) })
  create(@Body(new ZodValidationPipe(createBoxSchema)) dto: CreateBoxDto): Promise<BoxView> {
    return this.boxes.createBox(dto);
  }

  @Get()
  @Roles(...readers)
  @ApiOperation({
    summary: 'Boxes with their last emptying; ?notEmptiedDays=7 lists the active boxes not emptied in the last 7 days',
  })
  list(@Query(new ZodValidationPipe(listBoxesSchema)) q: ListBoxesQuery): Promise<BoxView[]> {
    return this.boxes.listBoxes(q);
  }

  @Patch(':id')
  @Roles('cs_rep', 'dept_manager')
  @ApiOperation({ summary: 'Move or retire a box (an inactive box is never overdue)' })
  @ApiBody({ schema: jsonSchema(updateBoxSchema) })
  update(
    @Param('id', uuid) id: string,
    @Body(new ZodValidationPipe(updateBoxSchema)) dto: UpdateBoxDto,
  ): Promise<BoxView> {
    return this.boxes.updateBox(id, dto);
  }

  @Post(':id/collections')
  @Roles('cs_rep', 'operator')
  // The `collection` part holds up to 200 slips of up to 10,000 characters.
  @UseInterceptors(
    SoftUploadsInterceptor({
      maxFileBytes: PHOTO_MAX_BYTES,
      maxFiles: SLIP_PHOTOS_MAX,
      maxFieldBytes: 8 * 1024 * 1024,
    }),
  )
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiBody({ schema: jsonSchema(collectionSchema) })
  @ApiOperation({
    summary:
      'Record one emptying; each slip becomes a case, all in one transaction; the same box and collectedAt again creates nothing (200 with the recorded collection)',
    description:
      "JSON, or multipart/form-data with the same JSON in the part `collection` and each slip photo as a file part named by the slip's `photo`.",
  })
  async record(
    @Param('id', uuid) id: string,
    @Req() req: Request,
    @UploadedParts() uploads: Uploads,
    @CurrentStaff() staff: StaffPrincipal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<{ created: boolean; collection: CollectionView }> {
    const failure = uploadFailure(uploads.problem);
    if (failure) throw failure;
    const dto = parseCollection(req.body, typeof req.is('multipart/form-data') === 'string');
    const result = await this.boxes.recordCollection(id, dto, uploads, staff);
    res.status(result.created ? 201 : 200);
    return result;
  }

  @Get(':id/collections')
  @Roles(...readers)
  @ApiOperation({ summary: 'The emptyings of a box, newest first, with the cases of their slips' })
  history(
    @Param('id', uuid) id: string,
    @Query(new ZodValidationPipe(historySchema)) q: z.output<typeof historySchema>,
  ): Promise<CollectionView[]> {
    return this.boxes.history(id, q.limit);
  }
}
