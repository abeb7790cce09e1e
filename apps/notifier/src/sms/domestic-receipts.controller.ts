import { Body, Controller, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { Request } from 'express';
import { APP_CONFIG, AppException, clientIp, Public, type AppConfig } from '@kefu/shared';
import { DomesticReceiptsService, type AliyunReport, type TencentReport } from './domestic-receipts.service';

/**
 * Receipts from the domestic providers. Neither signs its HTTP push (Alibaba Cloud's SmsReport, Tencent Cloud's
 * status callback), so each is authenticated by a secret path token (SMS_RECEIPT_TOKEN, compared in constant
 * time) and, when SMS_RECEIPT_ALLOWED_IPS is set, the source address. Anything else: 403, nothing changes.
 */
@ApiExcludeController()
@Controller('webhooks/sms')
export class DomesticReceiptsController {
  private readonly allowed: BlockList | null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly receipts: DomesticReceiptsService,
  ) {
    const entries = config.SMS_RECEIPT_ALLOWED_IPS.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    this.allowed = entries.length ? new BlockList() : null;
    for (const e of entries) {
      const [addr, bits] = e.split('/');
      const type = isIP(addr!) === 6 ? 'ipv6' : 'ipv4';
      if (bits) this.allowed!.addSubnet(addr!, Number(bits), type);
      else this.allowed!.addAddress(addr!, type);
    }
  }

  private check(req: Request, token: string): void {
    const want = this.config.SMS_RECEIPT_TOKEN;
    const a = Buffer.from(token);
    if (!want || a.length !== Buffer.byteLength(want) || !timingSafeEqual(a, Buffer.from(want)))
      throw new AppException('forbidden', 'Unknown receipt URL.');
    if (this.allowed) {
      const ip = clientIp(req).replace(/^::ffff:/, '');
      if (!this.allowed.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4'))
        throw new AppException('forbidden', 'Receipts are not accepted from this address.');
    }
  }

  @Post('aliyun/:token')
  @HttpCode(200)
  @Public('Alibaba Cloud SmsReport push; authenticated by the secret path token and the source address')
  async aliyun(@Req() req: Request, @Param('token') token: string, @Body() body: unknown) {
    this.check(req, token);
    if (!Array.isArray(body)) return { code: 1, msg: 'expected a JSON array of reports' };
    for (const r of body as AliyunReport[]) if (r && typeof r === 'object') await this.receipts.aliyun(r);
    return { code: 0, msg: '成功' };
  }

  @Post('tencent/:token')
  @HttpCode(200)
  @Public('Tencent Cloud SMS status callback; authenticated by the secret path token and the source address')
  async tencent(@Req() req: Request, @Param('token') token: string, @Body() body: unknown) {
    this.check(req, token);
    if (!Array.isArray(body)) return { result: 1, errmsg: 'expected a JSON array of reports' };
    let unknown = 0;
    for (const r of body as TencentReport[])
      if (r && typeof r === 'object' && (await this.receipts.tencent(r)) === 'unknown') unknown++;
    // A report about a send not recorded yet: not acknowledged, so Tencent pushes it again.
    return unknown
      ? { result: 1, errmsg: `${unknown} report(s) for unknown sid, push again` }
      : { result: 0, errmsg: 'OK' };
  }
}
