/**
 * `npm start`'s stand-ins for what lies outside our walls, used wherever the real one is not configured:
 * the Twilio-speaking SMS gateway (TWILIO_* unset), the local mail system (SMTP_URL and MAILBOX_URL unset:
 * Dovecot with a mailbox per address, an SMTP server that delivers into it and bounces unknown recipients)
 * and the outbox API the console's 本地收件箱 reads. The apps talk to them exactly as to the real providers.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import {
  startLocalDomesticSms,
  startLocalMail,
  startLocalOutboxServer,
  startLocalSms,
  type LocalDomesticSms,
  type LocalMail,
  type LocalOutboxServer,
  type LocalSms,
} from '@kefu/shared';

/** Addresses whose local part starts with this bounce (documented): the way to watch a bounce on purpose. */
const UNDELIVERABLE_LOCAL_PART = /^undeliverable/i;

/** An address has a local mailbox when it is an owner's or a staff member's (or the system's own). */
function knownAddresses(pool: Pool): (address: string) => Promise<boolean> {
  return async (address) => {
    if (UNDELIVERABLE_LOCAL_PART.test(address)) return false;
    const { rowCount } = await pool.query(
      `SELECT 1 FROM owners WHERE lower(email) = $1 UNION ALL SELECT 1 FROM staff WHERE lower(email) = $1 LIMIT 1`,
      [address.toLowerCase()],
    );
    return (rowCount ?? 0) > 0;
  };
}

export interface LocalProviders {
  /** Environment for the three apps: only the providers that are not configured for real are set. */
  env: Record<string, string>;
  /** One line per provider for the start-up banner. */
  describe: string[];
  stop: () => Promise<void>;
}

/** The example template mapping beside this file's source (tools/), whether run from there or built into dist/tools. */
function exampleTemplates(): string {
  const name = 'sms-templates.example.json';
  return [join(__dirname, name), join(__dirname, '..', '..', 'tools', name)].find((p) => existsSync(p)) ?? name;
}

export async function startLocalProviders(opts: {
  dataDir: string;
  env: NodeJS.ProcessEnv;
  databaseUrl: string;
  notifierUrl: string;
  smsPort: number;
  outboxPort: number;
  imapPort: number;
  smtpPort: number;
}): Promise<LocalProviders> {
  const env: Record<string, string> = {};
  const describe: string[] = [];
  const stops: Array<() => Promise<void>> = [];
  let sms: LocalSms | undefined;
  let domestic: LocalDomesticSms | undefined;
  let mail: LocalMail | undefined;
  let outbox: LocalOutboxServer | undefined;
  const pool = new Pool({ connectionString: opts.databaseUrl, max: 2, application_name: 'kefu-local-providers' });
  stops.push(() => pool.end());
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
      // +86 mobiles through the local Alibaba Cloud (primary) and Tencent Cloud (secondary) SMS, as in production
      // (KEFU_LOCAL_DOMESTIC_SMS=0: everything through the Twilio gateway, as before).
      if (!opts.env.SMS_DOMESTIC_PRIMARY && opts.env.KEFU_LOCAL_DOMESTIC_SMS !== '0') {
        domestic = await startLocalDomesticSms({
          notifierUrl: opts.notifierUrl,
          templatesFile: opts.env.SMS_TEMPLATES_FILE ?? exampleTemplates(),
        });
        stops.unshift(domestic.stop);
        Object.assign(env, domestic.env);
        describe.push(
          `SMS to +86 mobiles: local Alibaba Cloud SMS on ${domestic.aliyun.url} (primary) and Tencent Cloud SMS on ${domestic.tencent.url} (secondary), templates from ${domestic.env.SMS_TEMPLATES_FILE}`,
        );
      }
    }
    if (!opts.env.SMTP_URL && !opts.env.MAILBOX_URL) {
      mail = await startLocalMail({
        dir: join(opts.dataDir, 'local-mail'),
        imapPort: opts.imapPort,
        smtpPort: opts.smtpPort,
        domain: 'kefu.local',
        detached: true,
        isKnownAddress: knownAddresses(pool),
      });
      stops.unshift(mail.stop);
      Object.assign(env, {
        SMTP_URL: mail.smtpUrl,
        MAILBOX_URL: mail.csMailboxUrl,
        BOUNCE_MAILBOX_URL: mail.bounceMailboxUrl,
        EMAIL_FROM: `客户服务部 <${mail.csAddress}>`,
        EMAIL_REPLY_TO: mail.csAddress,
        EMAIL_RETURN_PATH: mail.bounceAddress,
      });
      describe.push(
        `mail: local Dovecot on 127.0.0.1:${mail.imapPort} and SMTP on 127.0.0.1:${mail.smtpPort}; customer service is ${mail.csAddress}, bounces come back to ${mail.bounceAddress}`,
      );
    }
    if (sms || mail) {
      outbox = await startLocalOutboxServer({
        port: opts.outboxPort,
        sms,
        domesticSms: domestic,
        mail,
        testSender: async () =>
          (
            await pool.query<{ email: string }>(
              `SELECT lower(email) AS email FROM owners WHERE email IS NOT NULL ORDER BY length(email), email LIMIT 1`,
            )
          ).rows[0]?.email ?? null,
      });
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
