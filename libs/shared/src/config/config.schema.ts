import { z } from 'zod';
import { authKeys } from './auth.keys';
import { channelKeys } from './channels.keys';
import { domesticSmsKeys } from './domestic-sms.keys';
import { intakeKeys } from './intake.keys';
import { letterKeys } from './letters.keys';
import { ownerCareKeys } from './owner-care.keys';
import { platformKeys } from './platform.keys';
import { recurringKeys } from './recurring.keys';
import { runtimeKeys } from './runtime.keys';
import { productionUrlProblems, trustProxyProblem, weakSecret } from './production-rules';

export { startupWarnings, trustProxyProblem, weakSecret } from './production-rules';

/**
 * The one environment schema of all three apps. Every variable is documented in README.md
 * ("Configuration") and set in docker-compose.yml. The keys are grouped in *.keys.ts, composed here in one order
 * (the order problems are listed in); the rules across keys are below.
 */
export const configSchema = z
  .object({
    ...platformKeys,
    ...authKeys,
    ...intakeKeys,
    ...letterKeys,
    ...runtimeKeys,
    ...channelKeys,
    ...domesticSmsKeys,
    ...ownerCareKeys,
    ...recurringKeys,
  })
  .refine((c) => !c.REDIS_CLUSTER_NODES || !c.REDIS_SENTINELS, {
    path: ['REDIS_SENTINELS'],
    message: 'set REDIS_CLUSTER_NODES or REDIS_SENTINELS, not both',
  })
  .refine((c) => !c.SMS_DOMESTIC_SECONDARY || c.SMS_DOMESTIC_SECONDARY !== c.SMS_DOMESTIC_PRIMARY, {
    path: ['SMS_DOMESTIC_SECONDARY'],
    message: 'must differ from SMS_DOMESTIC_PRIMARY (or be unset)',
  })
  .refine((c) => !c.SMS_DOMESTIC_SECONDARY || c.SMS_DOMESTIC_PRIMARY, {
    path: ['SMS_DOMESTIC_SECONDARY'],
    message: 'needs SMS_DOMESTIC_PRIMARY',
  })
  .refine((c) => !c.MAILBOX_URL || !c.BOUNCE_MAILBOX_URL || c.MAILBOX_NAME !== c.BOUNCE_MAILBOX_NAME, {
    path: ['BOUNCE_MAILBOX_NAME'],
    message: 'must differ from MAILBOX_NAME (each mailbox has its own cursor and poll lock)',
  })
  .refine((c) => c.NODE_ENV !== 'production' || !c.CLOCK_OFFSET_FILE, {
    path: ['CLOCK_OFFSET_FILE'],
    message: 'moves the business clock, for development and tests only: unset it in production',
  })
  .superRefine((c, ctx) => {
    if (c.NODE_ENV !== 'production') return;
    for (const problem of productionUrlProblems(c)) ctx.addIssue({ code: 'custom', ...problem });
    const proxy = trustProxyProblem(c.TRUST_PROXY);
    if (proxy) ctx.addIssue({ code: 'custom', path: ['TRUST_PROXY'], message: proxy });
  })
  // The secret signs logins, acknowledgement and return-visit links, proof-of-work and address hashes: in production
  // a guessable one is refused (32 × "a" is 32 characters).
  .refine((c) => c.NODE_ENV !== 'production' || !weakSecret(c.AUTH_TOKEN_SECRET), {
    path: ['AUTH_TOKEN_SECRET'],
    message:
      'too easy to guess for production (a placeholder, a repeated pattern or too few different characters): use a random one, e.g. `openssl rand -hex 32`',
  });

export type AppConfig = z.output<typeof configSchema>;
export type AppName = 'intake' | 'scheduler' | 'notifier';
