import { Controller, Param, ParseUUIDPipe, Post, Req, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentStaff, Roles, type StaffPrincipal } from '@kefu/shared';
import { SoftUploadsInterceptor, UploadedParts, type Uploads } from '../../web-form/uploads';
import { allowedTypes, fileMaxBytes, UPLOAD_MAX_BYTES } from './evidence-files';
import { evidenceKinds, signedFormKinds } from './evidence.dto';
import { EvidenceService, type EvidenceView } from './evidence.service';

const handlers = ['cs_rep', 'dept_manager', 'vice_gm', 'gm'] as const;
const uuid = new ParseUUIDPipe();
// One file per request; an oversized one is reported as a 400 on its field, not a bare 413. Text fields may
// be long enough for zod to name the one over its length (5,000 characters of comments, UTF-8).
const uploads = SoftUploadsInterceptor({ maxFileBytes: UPLOAD_MAX_BYTES, maxFiles: 1, maxFieldBytes: 64_000 });
const file = { type: 'string', format: 'binary' } as const;

@ApiTags('cases')
@ApiBearerAuth()
@Controller('api/v1/cases')
export class EvidenceController {
  constructor(private readonly evidence: EvidenceService) {}

  @Post(':id/evidence')
  @Roles(...handlers)
  @UseInterceptors(uploads)
  @ApiConsumes('multipart/form-data')
  @ApiOperation({
    summary: '证据: add a photo, recording or document to the case (003 §8.1.4); recorded on the timeline',
    description: `Multipart: \`kind\`, \`caption\` and the file part \`file\`. Types by their bytes — ${evidenceKinds
      .map((k) => `${k}: ${allowedTypes[k].join(', ')} (≤ ${fileMaxBytes[k] / 1024 / 1024} MB)`)
      .join('; ')}. Download it through \`GET /api/v1/cases/:id/attachments/:attachmentId\`.`,
  })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['kind', 'caption', 'file'],
      properties: { kind: { type: 'string', enum: [...evidenceKinds] }, caption: { type: 'string' }, file },
    },
  })
  add(
    @Param('id', uuid) caseId: string,
    @Req() req: Request,
    @UploadedParts() parts: Uploads,
    @CurrentStaff() s: StaffPrincipal,
  ): Promise<EvidenceView> {
    return this.evidence.addEvidence(caseId, req.body, parts, s);
  }

  @Post(':id/signed-forms')
  @Roles(...handlers)
  @UseInterceptors(uploads)
  @ApiConsumes('multipart/form-data')
  @ApiOperation({
    summary:
      '客户签字: record a form the owner signed on paper (face-to-face reply, evaluation 满意/不满意, repair sign-off) with a photo of it',
    description: `Multipart: \`formKind\`, \`signedAt\` (ISO), for an evaluation \`satisfied\` (true|false), \`comments\`, and the photo part \`photo\` (${allowedTypes.photo.join(', ')}, ≤ ${fileMaxBytes.photo / 1024 / 1024} MB).`,
  })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['formKind', 'signedAt', 'photo'],
      properties: {
        formKind: { type: 'string', enum: [...signedFormKinds] },
        signedAt: { type: 'string', format: 'date-time' },
        satisfied: { type: 'string', enum: ['true', 'false'] },
        comments: { type: 'string' },
        photo: file,
      },
    },
  })
  addSignedForm(
    @Param('id', uuid) caseId: string,
    @Req() req: Request,
    @UploadedParts() parts: Uploads,
    @CurrentStaff() s: StaffPrincipal,
  ): Promise<EvidenceView> {
    return this.evidence.addSignedForm(caseId, req.body, parts, s);
  }
}
