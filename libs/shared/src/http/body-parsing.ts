import { Injectable, SetMetadata, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { json, text, urlencoded, type Request, type RequestHandler, type Response } from 'express';
import { AppException } from '../errors/app.exception';
import type { Observable } from 'rxjs';

const TEXT_BODY = 'kefu:text-body';

/** JSON and form bodies: every route's limit. Larger files come as text (`@TextBody`) or multipart, where allowed. */
export const JSON_BODY_LIMIT_BYTES = 1024 * 1024;

/** Spreadsheet uploads (CDR exports, certificate batches, manifests, tracking exports). */
export const CSV_UPLOAD_MAX_BYTES = 20 * 1024 * 1024;

/**
 * The route takes a `text/csv` (or `text/plain`) body of at most `maxBytes`: decoded into `@Body()` as a string (by
 * the charset the request names, UTF-8 otherwise), its bytes kept as `req.rawBody` (a CSV from Excel may be GBK).
 * Other routes never read a text body.
 */
export const TextBody = (maxBytes: number): MethodDecorator & ClassDecorator => SetMetadata(TEXT_BODY, maxBytes);

function keepRawBody(req: Request, _res: Response, buf: Buffer): void {
  (req as Request & { rawBody?: Buffer }).rawBody = buf;
}

function run(parser: RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    void parser(req, res, (err?: unknown) => {
      if (err) reject(err instanceof Error ? err : new Error('the body could not be read'));
      else resolve();
    });
  });
}

/**
 * A declared length over the limit is refused before a byte is read (the parsers would first read the whole body
 * off the connection, to keep it usable); the connection is closed after the answer instead.
 */
function refuseDeclaredOver(limit: number, req: Request, res: Response): void {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared <= limit) return;
  res.setHeader('Connection', 'close');
  throw new AppException('payload_too_large', `The request body is too large: at most ${limit} bytes here.`);
}

/**
 * Request bodies are read here, once the route is known and its guard has passed: no app buffers a body for a route
 * that does not exist or for a caller who may not call it, and each route reads only the kinds it takes. A declared
 * length over the limit is refused (413) before a byte is read; a body sent without a length is cut off at the
 * limit. Errors become our error shape through the exception filter (`bodyParserError`).
 */
@Injectable()
export class BodyParsingInterceptor implements NestInterceptor {
  private readonly json = json({ limit: JSON_BODY_LIMIT_BYTES });
  private readonly form = urlencoded({ extended: false, limit: JSON_BODY_LIMIT_BYTES });
  private readonly texts = new Map<number, RequestHandler>();

  constructor(private readonly reflector: Reflector) {}

  async intercept(ctx: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (ctx.getType() !== 'http') return next.handle();
    const req = ctx.switchToHttp().getRequest<Request>();
    const res = ctx.switchToHttp().getResponse<Response>();
    const textLimit = this.reflector.getAllAndOverride<number | undefined>(TEXT_BODY, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    if (req.is(['application/json', 'application/x-www-form-urlencoded'])) {
      refuseDeclaredOver(JSON_BODY_LIMIT_BYTES, req, res);
      await run(this.json, req, res);
      await run(this.form, req, res);
    } else if (textLimit !== undefined && req.is(['text/csv', 'text/plain'])) {
      refuseDeclaredOver(textLimit, req, res);
      await run(this.textParser(textLimit), req, res);
    }
    return next.handle();
  }

  private textParser(limit: number): RequestHandler {
    let parser = this.texts.get(limit);
    if (!parser) {
      parser = text({ type: ['text/csv', 'text/plain'], limit, verify: keepRawBody });
      this.texts.set(limit, parser);
    }
    return parser;
  }
}
