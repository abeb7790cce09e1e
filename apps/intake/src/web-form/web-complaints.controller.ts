import { Controller, Get, Post, Req, Res, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppException, clientIp, jsonSchema, Public } from '@kefu/shared';
import { WebUploadBudget } from './upload-budget.guard';
import { WebPhotoUploads } from './web-form.controller';
import { UploadedParts, type Uploads } from './uploads';
import { fieldLabels, webComplaintSchema } from './web-form.dto';
import { WebFormService } from './web-form.service';

export interface WebComplaintReply {
  case: { number: string; promisedReplyAt: string | null } | null;
  message: string;
}

/** The JSON twin of /complaint: same checks, same messages (Chinese), for apps and mini-programs. */
@ApiTags('web-complaints')
@Public('the public complaint API for owners')
@Controller('api/v1/web-complaints')
export class WebComplaintsController {
  constructor(private readonly web: WebFormService) {}

  @Get('challenge')
  @ApiOperation({
    summary:
      'A proof-of-work challenge: find a decimal nonce so that sha256(challenge + nonce) has `bits` leading zero bits; it is also the submission key',
  })
  challenge() {
    const c = this.web.challenge();
    return { challenge: c.challenge, bits: c.bits, expiresAt: c.expiresAt.toISOString() };
  }

  @Get('estates')
  @ApiOperation({ summary: 'The estates to choose from (projectId)' })
  estates() {
    return this.web.estates();
  }

  @Post()
  @UseGuards(WebUploadBudget)
  @UseInterceptors(WebPhotoUploads)
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiBody({ schema: jsonSchema(webComplaintSchema) })
  @ApiOperation({
    summary:
      'Submit a complaint; photos as multipart files `photos` (≤ 5, ≤ 10 MB) or in JSON as photos: [{ filename, contentBase64 }] within the 1 MB body limit',
  })
  async submit(
    @Req() req: Request,
    @UploadedParts() uploads: Uploads,
    @Res({ passthrough: true }) res: Response,
  ): Promise<WebComplaintReply> {
    const outcome = await this.web.submit({ via: 'api', body: req.body, uploads, ip: clientIp(req) });
    switch (outcome.kind) {
      case 'accepted': {
        res.status(outcome.created ? 201 : 200);
        const promise = outcome.promise ? `我们会在${outcome.promise}前答复您。` : '我们会尽快答复您。';
        return {
          case: { number: outcome.number, promisedReplyAt: outcome.promisedReplyAt?.toISOString() ?? null },
          message: `已收到您的${outcome.typeLabel}，编号 ${outcome.number}。${promise}`,
        };
      }
      case 'spam':
        res.status(202);
        return { case: null, message: '感谢您的反馈，我们已收到。' };
      case 'invalid': {
        const names = outcome.problems.map((p) => fieldLabels[p.field as keyof typeof fieldLabels] ?? p.field);
        throw new AppException(
          outcome.status === 409 ? 'conflict' : 'validation_failed',
          `提交未成功，请检查：${[...new Set(names)].join('、')}`,
          { fields: outcome.problems },
        );
      }
    }
  }
}
