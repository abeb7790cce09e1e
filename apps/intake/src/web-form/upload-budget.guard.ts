import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request, Response } from 'express';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, AppException, clientIp, JSON_BODY_LIMIT_BYTES, type AppConfig } from '@kefu/shared';
import { WebIpLimits } from './ip-limit.service';
import { PHOTO_MAX_BYTES, PHOTO_MAX_COUNT } from './photos';

const MB = 1024 * 1024;
/** The largest web-form POST there can be: five photos at their limit and the text fields. */
export const WEB_FORM_MAX_REQUEST_BYTES = PHOTO_MAX_COUNT * PHOTO_MAX_BYTES + JSON_BODY_LIMIT_BYTES;

interface Admission {
  attempts: number;
  bytes: string;
  everyone_bytes: string | null;
}

/**
 * The web form's door, before a byte of its body is read (a guard runs before the body parsers and multer):
 *
 * - a declared body larger than any real submission is refused at once (413);
 * - every POST counts against its address's hour, accepted or refused — attempts and declared bytes — and an
 *   address over either budget is refused (429) — as is one over its hourly submissions (`WebIpLimits`);
 * - all addresses together have an hourly byte budget (503 until the next hour): photos end up in Postgres;
 * - one process reads at most WEB_FORM_MAX_CONCURRENT_UPLOADS multipart bodies at once (multer holds them in
 *   memory until the photos are checked), more get 503 with a short Retry-After.
 *
 * A body sent without Content-Length (chunked) is charged as the largest there can be.
 */
@Injectable()
export class WebUploadBudget implements CanActivate {
  private uploading = 0;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly limits: WebIpLimits,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<Request>();
    const res = ctx.switchToHttp().getResponse<Response>();
    if (req.method !== 'POST') return true;
    const declared = req.headers['content-length'] === undefined ? null : Number(req.headers['content-length']);
    if (declared !== null && declared > WEB_FORM_MAX_REQUEST_BYTES)
      throw new AppException(
        'payload_too_large',
        `提交的内容太大：照片最多${PHOTO_MAX_COUNT}张，每张不超过${PHOTO_MAX_BYTES / MB}MB。`,
      );
    const ipHash = this.limits.hash(clientIp(req));
    const now = new Date();
    await this.admit(ipHash, declared ?? WEB_FORM_MAX_REQUEST_BYTES, now);
    await this.limits.check(ipHash, 'solved', now);
    if (/^multipart\//i.test(req.headers['content-type'] ?? '')) {
      if (this.uploading >= this.config.WEB_FORM_MAX_CONCURRENT_UPLOADS)
        throw new AppException('service_unavailable', '当前提交照片的人较多，请约1分钟后再试。', {
          retryAfterSeconds: 30,
        });
      this.uploading += 1;
      res.once('close', () => (this.uploading -= 1));
    }
    return true;
  }

  /** Counts the attempt and its bytes against the address and everybody, in one statement; refuses over budget. */
  private async admit(ipHash: string, bytes: number, now: Date): Promise<void> {
    const c = this.config;
    const perAddressBytes = c.WEB_FORM_UPLOAD_MB_PER_IP_PER_HOUR * MB;
    const [row] = await this.ds.query<Admission[]>(
      `WITH mine AS (
         INSERT INTO web_upload_usage AS u (hour, ip_hash, attempts, bytes) VALUES (date_trunc('hour', $1::timestamptz), $2, 1, $3)
         ON CONFLICT (hour, ip_hash) DO UPDATE SET attempts = u.attempts + 1, bytes = u.bytes + $3
         RETURNING attempts, bytes),
       everyone AS (
         INSERT INTO web_upload_usage AS u (hour, ip_hash, attempts, bytes)
         SELECT date_trunc('hour', $1::timestamptz), '*', 1, $3 FROM mine WHERE attempts <= $4 AND bytes <= $5
         ON CONFLICT (hour, ip_hash) DO UPDATE SET attempts = u.attempts + 1, bytes = u.bytes + $3
          WHERE u.bytes + $3 <= $6
         RETURNING bytes)
       SELECT attempts, bytes::text, (SELECT bytes::text FROM everyone) AS everyone_bytes FROM mine`,
      [
        now,
        ipHash,
        bytes,
        c.WEB_FORM_MAX_ATTEMPTS_PER_IP_PER_HOUR,
        perAddressBytes,
        c.WEB_FORM_UPLOAD_MB_PER_HOUR * MB,
      ],
    );
    const toNextHour = Math.max(60, Math.ceil((3600_000 - (now.getTime() % 3600_000)) / 1000));
    if (!row || row.attempts > c.WEB_FORM_MAX_ATTEMPTS_PER_IP_PER_HOUR || Number(row.bytes) > perAddressBytes)
      throw this.tooMuch(toNextHour);
    if (row.everyone_bytes === null)
      throw new AppException('service_unavailable', '提交量过大，系统暂停接收网上投诉，请稍后再试，或致电客服热线。', {
        retryAfterSeconds: toNextHour,
      });
  }

  private tooMuch(retryAfterSeconds: number): AppException {
    return new AppException(
      'rate_limited',
      `提交过于频繁：同一网络每小时提交的次数或照片大小已达上限，请约${Math.ceil(retryAfterSeconds / 60)}分钟后再试。如情况紧急，请致电客服热线。`,
      { retryAfterSeconds },
    );
  }
}
