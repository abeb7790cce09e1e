import {
  createParamDecorator,
  HttpException,
  Injectable,
  mixin,
  PayloadTooLargeException,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
  type Type,
} from '@nestjs/common';
import { AnyFilesInterceptor } from '@nestjs/platform-express';
import type { Request } from 'express';
import type { Observable } from 'rxjs';

/** One file part of a multipart request, held in memory (multer's memory storage). */
export interface UploadedPart {
  fieldname: string;
  originalname: string;
  mimetype: string;
  size: number;
  buffer: Buffer;
}

/** Why an upload was cut short: the request still reaches the handler, which reports it next to the field. */
export type UploadProblem = 'too_large' | 'too_many' | 'malformed';

export interface Uploads {
  files: UploadedPart[];
  problem: UploadProblem | null;
}

// Per request (keyed by the request object, so nothing is added to Express's types).
const state = new WeakMap<object, { kept: number; problem: UploadProblem | null }>();

function isUploadedPart(v: unknown): v is UploadedPart {
  if (typeof v !== 'object' || v === null) return false;
  const f = v as Partial<UploadedPart>;
  return (
    typeof f.fieldname === 'string' &&
    typeof f.originalname === 'string' &&
    typeof f.size === 'number' &&
    Buffer.isBuffer(f.buffer)
  );
}

export interface SoftUploadOptions {
  /** Bytes per file; a larger file stops the upload with `too_large`. */
  maxFileBytes: number;
  /** Files kept; further ones are skipped (their bytes drained, not held) and reported as `too_many`. */
  maxFiles: number;
  /** Only file parts with these field names are kept (any name when unset). */
  fieldNames?: readonly string[];
  /** Bytes per text field (default 200 kB); a longer one stops the upload with `malformed`. */
  maxFieldBytes?: number;
}

/**
 * multer (from @nestjs/platform-express, memory storage) that does not fail the request: an oversized
 * file, a file too many or a broken body is recorded as an upload problem, so a form can be shown again
 * with its text fields kept and the message next to the photos. Read the result with `@UploadedParts()`.
 * Non-multipart bodies (JSON) pass through untouched.
 */
export function SoftUploadsInterceptor(opts: SoftUploadOptions): Type<NestInterceptor> {
  const entry = (req: object) => {
    let s = state.get(req);
    if (!s) state.set(req, (s = { kept: 0, problem: null }));
    return s;
  };
  const Inner = AnyFilesInterceptor({
    // Browsers send file names as raw UTF-8 ("外墙.jpg"); busboy would read them as latin1.
    defParamCharset: 'utf8',
    limits: {
      fileSize: opts.maxFileBytes,
      files: opts.maxFiles * 4 + 10,
      fields: 60,
      fieldSize: opts.maxFieldBytes ?? 200_000,
      parts: opts.maxFiles * 4 + 80,
    },
    fileFilter: (req: object, file: { fieldname: string }, cb: (error: Error | null, accept: boolean) => void) => {
      if (opts.fieldNames && !opts.fieldNames.includes(file.fieldname)) return cb(null, false);
      const s = entry(req);
      s.kept += 1;
      if (s.kept > opts.maxFiles) {
        s.problem ??= 'too_many';
        return cb(null, false);
      }
      cb(null, true);
    },
  });

  @Injectable()
  class SoftUploads implements NestInterceptor {
    private readonly inner = new Inner();

    async intercept(ctx: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
      const req = ctx.switchToHttp().getRequest<Request>();
      entry(req);
      // A JSON or urlencoded body was read by the body parsers already: multer has nothing to do (it
      // would find that out itself, after its promise and stream set-up on every submission).
      if (!/^multipart\//i.test(req.headers['content-type'] ?? '')) return next.handle();
      try {
        return await this.inner.intercept(ctx, next);
      } catch (err) {
        if (!(err instanceof HttpException)) throw err;
        entry(req).problem = err instanceof PayloadTooLargeException ? 'too_large' : 'malformed';
        return next.handle();
      }
    }
  }
  return mixin(SoftUploads);
}

/** The files and upload problem of a request that went through `SoftUploadsInterceptor`. */
export const UploadedParts = createParamDecorator((_: unknown, ctx: ExecutionContext): Uploads => {
  const req = ctx.switchToHttp().getRequest<Request & { files?: unknown }>();
  const files = Array.isArray(req.files) ? req.files.filter(isUploadedPart) : [];
  return { files, problem: state.get(req)?.problem ?? null };
});
