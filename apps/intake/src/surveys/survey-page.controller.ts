import { Body, Controller, Get, HttpCode, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { clientIp, Public } from '@kefu/shared';
import { HtmlErrorFilter } from '../web-form/html-error.filter';
import { pageHeaders } from '../web-form/html';
import { WebIpLimits } from '../web-form/ip-limit.service';
import { SurveyAnswersService, type ClosedReason } from './survey-answers.service';
import { renderSurveyClosed, renderSurveyForm, renderSurveyThanks } from './survey.page';

const closedPages: Record<ClosedReason, [string, string]> = {
  invalid: ['链接无效', '这个问卷链接无效，请核对短信、邮件或信函中的链接。如需帮助，请致电客服热线。'],
  expired: ['问卷已截止', '这份问卷的填写期限已过。感谢您的关注，如有意见或建议，请致电客服热线。'],
  done: ['已经提交过', '这份问卷已经提交，感谢您的参与。每个链接只能提交一次。'],
};

/**
 * GET/POST /survey/:token — the owner's satisfaction survey (001 客户满意度管理程序, WHVK-QP-16-03): no login, a
 * signed one-time link from the survey_invitation, the questionnaire version the invitation was made with. Submits
 * count against the address's hourly limit of the public web form (WebIpLimits), so the page cannot be used to
 * try tokens or flood the table.
 */
@ApiExcludeController()
@Public("the owner's satisfaction survey behind a signed one-time link")
@UseFilters(HtmlErrorFilter)
@Controller('survey')
export class SurveyPageController {
  constructor(
    private readonly answers: SurveyAnswersService,
    private readonly limits: WebIpLimits,
  ) {}

  @Get(':token')
  async form(@Param('token') token: string, @Res({ passthrough: true }) res: Response): Promise<string> {
    res.set(pageHeaders);
    const inv = await this.answers.openByToken(token);
    if (typeof inv === 'string') return this.closed(res, inv);
    return renderSurveyForm({ token, ...inv });
  }

  @Post(':token')
  @HttpCode(200)
  async submit(
    @Param('token') token: string,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    res.set(pageHeaders);
    const ipHash = this.limits.hash(clientIp(req));
    const now = new Date();
    await this.limits.check(ipHash, 'solved', now);
    await this.limits.record(ipHash, 'solved', now);
    const inv = await this.answers.openByToken(token);
    if (typeof inv === 'string') return this.closed(res, inv);
    const parsed = this.answers.parse(inv.questions, body ?? {});
    if ('errors' in parsed) {
      res.status(400);
      const values = Object.fromEntries(
        Object.entries(body ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'),
      );
      return renderSurveyForm({ token, ...inv, values, errors: parsed.errors });
    }
    const saved = await this.answers.record(inv, parsed, 'link');
    if (!saved) return this.closed(res, 'done');
    return renderSurveyThanks(inv.title);
  }

  private closed(res: Response, why: ClosedReason): string {
    res.status(why === 'invalid' ? 404 : why === 'expired' ? 410 : 409);
    const [title, message] = closedPages[why];
    return renderSurveyClosed(title, message);
  }
}
