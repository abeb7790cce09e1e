import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { APP_CONFIG, AppException, ZodValidationPipe, type AppConfig } from '@kefu/shared';

const testMailSchema = z.object({
  from: z.email().max(200),
  subject: z.string().trim().min(1).max(200),
  text: z.string().trim().min(1).max(20_000),
});
type TestMail = z.output<typeof testMailSchema>;

const listSchema = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });

/**
 * 本地收件箱 / Local outbox: what owners and staff would have received from the local providers `npm start`
 * runs in place of Twilio, SMTP and IMAP (LOCAL_PROVIDERS_URL), and a form that mails customer service.
 * Any staff member; 404 `local_providers_off` wherever real providers are configured.
 */
@ApiTags('local outbox')
@ApiBearerAuth()
@Controller('api/v1/local-outbox')
export class LocalOutboxController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get('status')
  @ApiOperation({ summary: 'Whether local providers run here (the console shows 本地收件箱 only then)' })
  status(): { available: boolean } {
    return { available: !!this.config.LOCAL_PROVIDERS_URL };
  }

  @Get()
  @ApiOperation({
    summary: 'SMS and mail the local providers delivered, newest first, with SMS statuses; the magic numbers',
  })
  list(@Query(new ZodValidationPipe(listSchema)) q: z.output<typeof listSchema>) {
    return this.call('GET', `/outbox?limit=${q.limit}`);
  }

  @Get('mail/:id')
  @ApiOperation({ summary: 'One mail from a local mailbox: headers, text and HTML' })
  mail(@Param('id') id: string) {
    if (!/^[A-Za-z0-9._-]{1,200}$/.test(id)) throw new AppException('not_found', `No local mail ${id}.`);
    return this.call('GET', `/outbox/mail/${id}`);
  }

  @Post('test-mail')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Sends an email to the customer-service mailbox through the local mail system (it becomes a case)',
  })
  testMail(@Body(new ZodValidationPipe(testMailSchema)) body: TestMail) {
    return this.call('POST', '/outbox/test-mail', body);
  }

  private async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const base = this.config.LOCAL_PROVIDERS_URL;
    if (!base)
      throw new AppException('not_found', 'No local providers run here: messages go to the real providers.', {
        reason: 'local_providers_off',
      });
    let res: Response;
    try {
      res = await fetch(`${base.replace(/\/$/, '')}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (err) {
      throw new AppException(
        'service_unavailable',
        `The local providers cannot be reached (${err instanceof Error ? err.message : String(err)}).`,
      );
    }
    const json = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
    if (res.ok) return json;
    const message = json?.error?.message ?? `The local providers answered ${res.status}.`;
    throw new AppException(
      res.status === 404 ? 'not_found' : res.status === 400 ? 'validation_failed' : 'service_unavailable',
      message,
    );
  }
}
