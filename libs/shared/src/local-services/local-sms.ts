import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TwilioGateway, type Behaviour, type GatewayMessage } from './twilio-gateway';

/**
 * Numbers the local SMS gateway treats specially, so a newcomer can watch failures on `npm start`
 * (documented in the README). Any other number is delivered: queued → sent → delivered.
 * Twilio's own test numbers (+1 500 555 000x) answer as Twilio answers them with test credentials.
 */
export const LOCAL_SMS_MAGIC_NUMBERS: ReadonlyArray<{
  number: string;
  effect: string;
  effectZh: string;
  behaviour: Behaviour;
}> = [
  {
    number: '+8619900000001',
    effect: 'undelivered (30003 unreachable handset): a must-arrive notice falls back to email, then letter',
    effectZh: '未送达（30003 手机不可达）：必达通知改用邮件，再改用信件',
    behaviour: { kind: 'callbacks', statuses: ['sent', { status: 'undelivered', errorCode: 30003 }] },
  },
  {
    number: '+8619900000002',
    effect: 'failed by the carrier (30005 unknown destination)',
    effectZh: '运营商发送失败（30005 号码不存在）',
    behaviour: { kind: 'callbacks', statuses: [{ status: 'failed', errorCode: 30005 }] },
  },
  {
    number: '+8619900000003',
    effect: "refused at once (400, 21211 invalid 'To' number)",
    effectZh: '立即拒绝（400，21211 号码无效）',
    behaviour: { kind: 'error', status: 400, code: 21211, message: "The 'To' number is not a valid phone number." },
  },
  {
    number: '+8619900000004',
    effect: 'the owner replied STOP (400, 21610): the owner is opted out of SMS',
    effectZh: '业主已回复退订（400，21610）：该业主不再接收短信',
    behaviour: { kind: 'error', status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' },
  },
  {
    number: '+8619900000005',
    effect: 'sent, but no delivery receipt ever comes (stays "sent")',
    effectZh: '已发出，但始终没有送达回执（停在「已发出」）',
    behaviour: { kind: 'callbacks', statuses: ['sent'] },
  },
  {
    number: '+15005550001',
    effect: 'Twilio test number: invalid (21211)',
    effectZh: 'Twilio 测试号码：号码无效（21211）',
    behaviour: { kind: 'error', status: 400, code: 21211, message: "The 'To' number is not a valid phone number." },
  },
  {
    number: '+15005550004',
    effect: 'Twilio test number: blacklisted (21610)',
    effectZh: 'Twilio 测试号码：已退订（21610）',
    behaviour: { kind: 'error', status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' },
  },
  {
    number: '+15005550009',
    effect: 'Twilio test number: not SMS-capable (21614)',
    effectZh: 'Twilio 测试号码：不能接收短信（21614）',
    behaviour: { kind: 'error', status: 400, code: 21614, message: "'To' number is not a valid mobile number" },
  },
];

/** The local gateway's account: fixed, as only this machine talks to it (the SID and token formats are Twilio's). */
export const LOCAL_SMS_ACCOUNT = {
  accountSid: `AC${'10ca1000'.repeat(4)}`,
  authToken: 'local-sms-gateway-auth-token',
  from: '+8610690000',
} as const;

type LogLine =
  | { t: 'message'; m: Omit<GatewayMessage, 'history' | 'dateCreated'> & { dateCreated: string } }
  | { t: 'status'; sid: string; status: string; at: string; errorCode?: number };

export interface LocalSms {
  gateway: TwilioGateway;
  /** TWILIO_API_BASE_URL for the notifier. */
  apiBaseUrl: string;
  accountSid: string;
  authToken: string;
  from: string;
  /** Newest first. */
  list: (limit?: number) => GatewayMessage[];
  stop: () => Promise<void>;
}

/**
 * `npm start`'s SMS provider: the Twilio-speaking gateway on 127.0.0.1:port, with the magic numbers above,
 * status callbacks signed as Twilio signs them a moment apart, and every message and status kept in
 * `<dir>/sms.jsonl` so the local outbox and the notifier's reconciliation still find them after a restart.
 */
export async function startLocalSms(opts: {
  dir: string;
  port?: number;
  callbackDelayMs?: number;
  /** Per-create answer time [min, max] ms, as a real provider's (bench:scale); default none. */
  latencyMs?: readonly [number, number];
}): Promise<LocalSms> {
  mkdirSync(opts.dir, { recursive: true });
  const file = join(opts.dir, 'sms.jsonl');
  const gateway = new TwilioGateway(LOCAL_SMS_ACCOUNT.accountSid, LOCAL_SMS_ACCOUNT.authToken);
  gateway.callbackDelayMs = opts.callbackDelayMs ?? 400;
  if (opts.latencyMs) gateway.latencyMs = opts.latencyMs;
  for (const magic of LOCAL_SMS_MAGIC_NUMBERS) gateway.behave(magic.number, magic.behaviour);
  restore(gateway, file);
  const log = (line: LogLine) => appendFileSync(file, `${JSON.stringify(line)}\n`);
  gateway.onStatus = (m, s) => {
    if (m.history.length === 1) {
      const { history: _h, dateCreated, ...rest } = m;
      log({ t: 'message', m: { ...rest, status: m.history[0]!.status, dateCreated: dateCreated.toISOString() } });
    }
    log({
      t: 'status',
      sid: m.sid,
      status: s.status,
      at: s.at.toISOString(),
      ...(s.errorCode ? { errorCode: s.errorCode } : {}),
    });
  };
  await gateway.start(opts.port ?? 0);
  return {
    gateway,
    apiBaseUrl: gateway.url,
    accountSid: gateway.accountSid,
    authToken: gateway.authToken,
    from: LOCAL_SMS_ACCOUNT.from,
    list: (limit = 200) => gateway.messages.slice(-limit).reverse(),
    stop: () => gateway.stop(),
  };
}

/** Replays the log: messages and their statuses as they were (a torn last line, from a crash, is skipped). */
function restore(gateway: TwilioGateway, file: string): void {
  if (!existsSync(file)) return;
  const bySid = new Map<string, GatewayMessage>();
  for (const text of readFileSync(file, 'utf8').split('\n')) {
    if (!text.trim()) continue;
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      continue;
    }
    if (line.t === 'message') {
      const m: GatewayMessage = { ...line.m, dateCreated: new Date(line.m.dateCreated), history: [] };
      bySid.set(m.sid, m);
      gateway.messages.push(m);
    } else {
      const m = bySid.get(line.sid);
      if (!m) continue;
      m.status = line.status;
      m.history.push({
        status: line.status,
        at: new Date(line.at),
        ...(line.errorCode ? { errorCode: line.errorCode } : {}),
      });
    }
  }
}
