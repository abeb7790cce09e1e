import { Body, Controller, Get, HttpCode, Inject, Param, Post, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppException, CLOCK, Public, type Clock } from '@kefu/shared';
import { CaseWorkflowService } from '../cases/case-workflow.service';
import { ReturnVisitLinks } from '../cases/return-visit-links';
import { HtmlErrorFilter } from './html-error.filter';
import { pageHeaders } from './html';
import { renderVisitClosed, renderVisitForm, renderVisitThanks, type VisitForm } from './return-visit.page';

const closedPages = {
  invalid: ['链接无效', '这个回访链接无效，请核对短信或邮件中的链接。如需帮助，请致电客服热线。'],
  expired: ['链接已过期', '这个回访链接已过期。如需评价或反映问题，请致电客服热线。'],
  done: ['已经评价过', '这次回访已经记录，感谢您的评价。如有新的问题，请致电客服热线或重新反映。'],
} as const;

/**
 * GET/POST /visit/:token — the owner's return-visit page (回访, 004 篇2 回访; 002 §7.5): no login, a signed
 * one-time link from the return_visit_request, a 1–5 rating, satisfied or not, a comment. An unsatisfied
 * answer reopens the case to its handler, exactly as a staff-logged return visit does.
 */
@ApiExcludeController()
@Public("the owner's return-visit page behind a signed one-time link")
@UseFilters(HtmlErrorFilter)
@Controller('visit')
export class ReturnVisitController {
  constructor(
    private readonly links: ReturnVisitLinks,
    private readonly workflow: CaseWorkflowService,
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get(':token')
  async form(@Param('token') token: string, @Res({ passthrough: true }) res: Response): Promise<string> {
    res.set(pageHeaders);
    const found = await this.open(token);
    if (typeof found === 'string') return this.closed(res, found);
    return renderVisitForm({ token, caseNumber: found.number });
  }

  @Post(':token')
  @HttpCode(200)
  async answer(
    @Param('token') token: string,
    @Body() body: Record<string, unknown>,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    res.set(pageHeaders);
    const found = await this.open(token);
    if (typeof found === 'string') return this.closed(res, found);
    const text = (k: string) => (typeof body?.[k] === 'string' ? body[k] : undefined);
    const values = { rating: text('rating'), satisfied: text('satisfied'), comments: text('comments') };
    const errors: VisitForm['errors'] = {};
    if (!/^[1-5]$/.test(values.rating ?? '')) errors.rating = '请选择总体评价（1 到 5 分）';
    if (values.satisfied !== 'yes' && values.satisfied !== 'no') errors.satisfied = '请选择是否满意';
    const comments = values.comments?.trim() || null;
    if (comments && comments.length > 2000) errors.comments = '意见和建议请不要超过 2000 字';
    if (Object.keys(errors).length) {
      res.status(400);
      return renderVisitForm({ token, caseNumber: found.number, values, errors });
    }
    const satisfied = values.satisfied === 'yes';
    try {
      await this.workflow.ownerReturnVisit(found.caseId, found.round, {
        satisfied,
        rating: Number(values.rating),
        comments,
      });
    } catch (err) {
      if (err instanceof AppException && (err.code === 'conflict' || err.code === 'illegal_transition'))
        return this.closed(res, 'done');
      throw err;
    }
    return renderVisitThanks(found.number, satisfied);
  }

  /** The case the link is for, if the link is genuine, in time and its round still open. */
  private async open(
    token: string,
  ): Promise<{ caseId: string; round: number; number: string } | keyof typeof closedPages> {
    const link = this.links.verify(token);
    if (!link) return 'invalid';
    if (link.expiresAt.getTime() < this.clock.now().getTime()) return 'expired';
    const [row] = await this.ds.query<Array<{ number: string; status: string; visited: boolean }>>(
      `SELECT c.number, c.status,
              EXISTS (SELECT 1 FROM return_visits v WHERE v.case_id = c.id AND v.round = $2) AS visited
         FROM cases c WHERE c.id = $1`,
      [link.caseId, link.round],
    );
    if (!row) return 'invalid';
    if (row.visited || row.status !== 'resolved') return 'done';
    return { caseId: link.caseId, round: link.round, number: row.number };
  }

  private closed(res: Response, why: keyof typeof closedPages): string {
    res.status(why === 'invalid' ? 404 : why === 'expired' ? 410 : 409);
    const [title, message] = closedPages[why];
    return renderVisitClosed(title, message);
  }
}
