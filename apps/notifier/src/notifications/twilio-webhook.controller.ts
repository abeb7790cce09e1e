import { Body, Controller, Headers, HttpCode, Inject, Post, Query, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request } from 'express';
import twilio from 'twilio';
import { APP_CONFIG, AppException, Public, type AppConfig } from '@kefu/shared';
import { DeliveryReceiptsService, type TwilioStatusCallback } from './delivery-receipts.service';
import { TwilioSmsSender } from './twilio-sms.sender';

/** Twilio's status callbacks: public, but only with a valid X-Twilio-Signature (else 403, nothing changes). */
@ApiExcludeController()
@Controller('webhooks/twilio')
export class TwilioWebhookController {
  private readonly base: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly receipts: DeliveryReceiptsService,
  ) {
    this.base = new TwilioSmsSender(config).callbackBase();
  }

  @Post('status')
  @HttpCode(204)
  @Public('Twilio status callback; verified by X-Twilio-Signature')
  async status(
    @Req() req: Request,
    @Headers('x-twilio-signature') signature: string | undefined,
    @Query('n') n: string | undefined,
    @Query('a') a: string | undefined,
    @Body() body: TwilioStatusCallback,
  ): Promise<void> {
    const token = this.config.TWILIO_AUTH_TOKEN;
    // Twilio signs the URL it was given (our configured callback URL plus the query string we added), not the Host we see behind a proxy.
    const q = req.originalUrl.indexOf('?');
    const url = this.base + (q >= 0 ? req.originalUrl.slice(q) : '');
    const params = (body && typeof body === 'object' ? body : {}) as Record<string, string>;
    if (!token || !signature || !twilio.validateRequest(token, signature, url, params))
      throw new AppException('forbidden', 'Invalid or missing X-Twilio-Signature.');
    await this.receipts.twilioStatus(n ?? null, params, a && /^\d+$/.test(a) ? Number(a) : null);
  }
}
