/**
 * `npm start`'s stand-ins for what lies outside our walls, used wherever the real one is not configured:
 * the Twilio-speaking SMS gateway (TWILIO_* unset) and the outbox API the console's 本地收件箱 reads.
 * The apps talk to them exactly as to the real providers — the twilio SDK, signed status callbacks.
 */
import { join } from 'node:path';
import { startLocalOutboxServer, startLocalSms, type LocalOutboxServer, type LocalSms } from '@kefu/shared';

export interface LocalProviders {
  /** Environment for the three apps: only the providers that are not configured for real are set. */
  env: Record<string, string>;
  /** One line per provider for the start-up banner. */
  describe: string[];
  stop: () => Promise<void>;
}

export async function startLocalProviders(opts: {
  dataDir: string;
  env: NodeJS.ProcessEnv;
  notifierUrl: string;
  smsPort: number;
  outboxPort: number;
}): Promise<LocalProviders> {
  const env: Record<string, string> = {};
  const describe: string[] = [];
  const stops: Array<() => Promise<void>> = [];
  let sms: LocalSms | undefined;
  let outbox: LocalOutboxServer | undefined;
  try {
    if (!opts.env.TWILIO_ACCOUNT_SID) {
      sms = await startLocalSms({ dir: join(opts.dataDir, 'local-sms'), port: opts.smsPort });
      stops.push(sms.stop);
      Object.assign(env, {
        TWILIO_ACCOUNT_SID: sms.accountSid,
        TWILIO_AUTH_TOKEN: sms.authToken,
        TWILIO_FROM: sms.from,
        TWILIO_API_BASE_URL: sms.apiBaseUrl,
        // The gateway posts status callbacks to the notifier directly, signed as Twilio signs them.
        TWILIO_STATUS_CALLBACK_URL: `${opts.notifierUrl}/webhooks/twilio/status`,
      });
      describe.push(`SMS: local Twilio-speaking gateway on ${sms.apiBaseUrl} (magic numbers in the README)`);
    }
    if (sms) {
      outbox = await startLocalOutboxServer({ port: opts.outboxPort, sms });
      stops.unshift(outbox.stop);
      env.LOCAL_PROVIDERS_URL = outbox.url;
    }
  } catch (err) {
    for (const stop of stops) await stop().catch(() => undefined);
    throw err;
  }
  return {
    env,
    describe,
    stop: async () => {
      for (const stop of stops) await stop().catch(() => undefined);
    },
  };
}
