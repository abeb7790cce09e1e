import { Controller, Get, Post, Req, Res, UseFilters, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { clientIp, Public } from '@kefu/shared';
import { renderForm } from './form.page';
import { HtmlErrorFilter } from './html-error.filter';
import { pageHeaders } from './html';
import { PHOTO_MAX_BYTES, PHOTO_MAX_COUNT } from './photos';
import { powScript } from './pow-script';
import { renderReceipt, renderThanks } from './result.pages';
import { SoftUploadsInterceptor, UploadedParts, type Uploads } from './uploads';
import { WebFormService } from './web-form.service';
import { WebUploadBudget } from './upload-budget.guard';

export const WebPhotoUploads = SoftUploadsInterceptor({
  maxFileBytes: PHOTO_MAX_BYTES,
  maxFiles: PHOTO_MAX_COUNT,
  fieldNames: ['photos'],
});

/** GET/POST /complaint: the public, server-rendered complaint form (works without JavaScript). */
@ApiExcludeController()
@Public('the public complaint form for owners')
@UseFilters(HtmlErrorFilter)
@Controller('complaint')
export class WebFormController {
  constructor(private readonly web: WebFormService) {}

  @Get()
  async form(@Res({ passthrough: true }) res: Response): Promise<string> {
    res.set(pageHeaders);
    return renderForm(await this.web.formPage());
  }

  @Get('pow.js')
  script(@Res({ passthrough: true }) res: Response): string {
    res.set({
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': 'public, max-age=3600',
      'X-Content-Type-Options': 'nosniff',
    });
    return powScript;
  }

  @Post()
  @UseGuards(WebUploadBudget)
  @UseInterceptors(WebPhotoUploads)
  async submit(
    @Req() req: Request,
    @UploadedParts() uploads: Uploads,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const outcome = await this.web.submit({ via: 'form', body: req.body, uploads, ip: clientIp(req) });
    res.set(pageHeaders);
    switch (outcome.kind) {
      case 'accepted':
        res.status(200);
        return renderReceipt({ number: outcome.number, promise: outcome.promise, description: outcome.description });
      case 'spam':
        res.status(200);
        return renderThanks();
      case 'invalid':
        res.status(outcome.status);
        return renderForm(await this.web.formPage(outcome));
    }
  }
}
