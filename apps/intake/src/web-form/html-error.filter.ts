import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { AppException, bodyParserError, isDatabaseUnavailable } from '@kefu/shared';
import { pageHeaders } from './html';
import { renderProblem } from './result.pages';

const byStatus: Record<number, [string, string]> = {
  404: ['页面不存在', '您要找的页面不存在。'],
  409: ['已经提交过', '此表单已经提交过。如需反映新的问题，请返回重新填写后提交。'],
  413: ['提交的内容太大', '提交的内容太大，请减少照片后重试。'],
  429: ['提交过于频繁', '提交过于频繁，请稍后再试。如情况紧急，请致电客服热线。'],
  503: ['服务暂时不可用', '系统暂时无法保存您的提交，您填写的内容未被保存。请稍后再试，或致电客服热线。'],
};
const fallback: [string, string] = ['无法处理您的请求', '系统出现问题，已记录。请稍后再试，或致电客服热线。'];

/**
 * Errors of the public HTML pages as a Chinese page (the JSON error body is for API clients), with the
 * same status and Retry-After the API would give. Our own rate-limit message is already Chinese and
 * says when to come back; other messages are for developers and are not shown to the public.
 */
@Catch()
export class HtmlErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HtmlErrorFilter.name);

  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    let status = 500;
    let retryAfter: number | undefined;
    let message: string | undefined;
    const appErr = err instanceof AppException ? err : bodyParserError(err);
    if (appErr) {
      status = appErr.status;
      retryAfter = appErr.details?.retryAfterSeconds;
      if (appErr.code === 'rate_limited') message = appErr.message;
    } else if (err instanceof HttpException) {
      status = err.getStatus();
    } else if (isDatabaseUnavailable(err)) {
      status = 503;
      retryAfter = 30;
    }
    if (status >= 500 && status !== 503) this.logger.error({ err }, 'Unhandled error on a public page');
    const [title, generic] = byStatus[status] ?? fallback;
    res.status(status).set(pageHeaders);
    if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
    res.send(renderProblem(title, message ?? generic));
  }
}
