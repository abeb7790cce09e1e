import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DataSource } from 'typeorm';
import {
  dataSourceOptions,
  ensureDatabase,
  freePort,
  reachableDataDir,
  runMigrations,
  startEmbeddedPostgres,
  startLocalSms,
  startRedisServer,
  type LocalPostgres,
  type LocalRedis,
  type LocalSms,
} from '@kefu/shared';
import { quietHoursElsewhere } from '@kefu/shared/testing';
import { loadDemoData } from '../../tools/demo-data';
import { AppProcess, repo, type AppKind } from './scale-processes';

export const STAFF_PASSWORD = 'scale-demo-password';

export interface ScaleOptions {
  intake: number;
  scheduler: number;
  notifier: number;
  /** The SMS provider's answer time per message [min, max] ms. */
  smsLatencyMs?: readonly [number, number];
  /** More environment for every app. */
  env?: Record<string, string>;
}

/** `npm run build` once per run (a fresh clone has no dist/); KEFU_SCALE_SKIP_BUILD=1 reuses the one there is. */
export function buildOnce(): void {
  if (process.env.KEFU_SCALE_SKIP_BUILD === '1') return;
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: repo, stdio: 'inherit' });
}

/**
 * The system on one machine as several replicas would run it: one Postgres, one redis-server (no persistence: a
 * restart loses every job and job scheduler, as a flush would), the local Twilio-speaking SMS gateway, and N real
 * `node dist/...` processes of each app on their own ports.
 */
export class ScaleStack {
  readonly root = mkdtempSync(join(tmpdir(), 'kefu-scale-'));
  pg!: LocalPostgres;
  redis!: LocalRedis;
  sms!: LocalSms;
  ds!: DataSource;
  apps: AppProcess[] = [];
  /**
   * The schedulers' and notifiers' CLOCK_OFFSET_FILE (intake and the load stay on real time), and the SMS provider's
   * clock with them: `simulate` moves them all to another day at once.
   */
  readonly clockFile = join(this.root, 'clock-offset');
  private offsetMs = 0;
  private pgPort = 0;
  private redisPort = 0;
  private readonly pgData = reachableDataDir(join(this.root, 'pg'));

  constructor(private readonly opts: ScaleOptions) {}

  async start(): Promise<void> {
    [this.pgPort, this.redisPort] = [await freePort(), await freePort()];
    await this.startPostgres();
    await ensureDatabase(this.pg.url(), 'kefu');
    await runMigrations(this.pg.url('kefu'));
    await this.startRedis();
    this.sms = await startLocalSms({ dir: join(this.root, 'sms'), latencyMs: this.opts.smsLatencyMs });
    // Delivery callbacks would go to one notifier of three; the counts here are the provider's own list.
    this.sms.gateway.defaultCallbacks = { kind: 'callbacks', statuses: [] };
    this.sms.gateway.now = () => this.simulatedNow();
    this.simulate(0);
    this.ds = new DataSource({ ...dataSourceOptions(this.pg.url('kefu'), { poolSize: 4 }), logging: false });
    await this.ds.initialize();
    await loadDemoData(this.ds, STAFF_PASSWORD);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      DATABASE_URL: this.pg.url('kefu'),
      REDIS_URL: this.redis.url,
      DB_POOL_SIZE: '6',
      AUTH_TOKEN_SECRET: 'scale-test-token-secret-0123456789abcdef',
      TWILIO_ACCOUNT_SID: this.sms.accountSid,
      TWILIO_AUTH_TOKEN: this.sms.authToken,
      TWILIO_FROM: this.sms.from,
      TWILIO_API_BASE_URL: this.sms.apiBaseUrl,
      SMS_QUIET_HOURS: quietHoursElsewhere(),
      SMS_RATE_PER_SECOND: '1000',
      WEB_FORM_POW_BITS: '0',
      WEB_FORM_MAX_PER_IP_PER_HOUR: '10000',
      WEB_FORM_MAX_ATTEMPTS_PER_IP_PER_HOUR: '100000',
      ...this.opts.env,
    };
    const kinds: AppKind[] = ['scheduler', 'notifier', 'intake'];
    for (const kind of kinds)
      for (let i = 0; i < this.opts[kind]; i++)
        this.apps.push(
          new AppProcess(
            kind,
            i,
            await freePort(),
            env,
            kind === 'intake' ? {} : { CLOCK_OFFSET_FILE: this.clockFile },
          ),
        );
    const firstNotifier = this.of('notifier')[0];
    if (firstNotifier) env.TWILIO_STATUS_CALLBACK_URL = `${firstNotifier.url}/webhooks/twilio/status`;
    const firstScheduler = this.of('scheduler')[0];
    if (firstScheduler) env.SCHEDULER_INTERNAL_URL = firstScheduler.url;
    if (firstNotifier) env.NOTIFIER_INTERNAL_URL = firstNotifier.url;
    // A kind at a time: seven Nest apps booting at once on two busy cores take minutes.
    try {
      for (const kind of kinds) {
        for (const app of this.of(kind)) app.start();
        await Promise.all(this.of(kind).map((a) => a.waitHealthy(240_000)));
      }
    } catch (err) {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n${this.describe()}`);
    }
  }

  /** Moves the schedulers, the notifiers and the SMS provider `offsetMs` ahead of real time. */
  simulate(offsetMs: number): void {
    writeFileSync(this.clockFile, String(offsetMs));
    this.offsetMs = offsetMs;
  }

  simulatedNow(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  of(kind: AppKind): AppProcess[] {
    return this.apps.filter((a) => a.kind === kind);
  }

  async startPostgres(): Promise<void> {
    this.pg = await startEmbeddedPostgres({
      dataDir: this.pgData,
      port: this.pgPort,
      password: 'kefu-scale',
      ephemeral: true,
    });
  }

  async startRedis(): Promise<void> {
    this.redis = await startRedisServer({ port: this.redisPort, dir: join(this.root, 'redis'), persistent: false });
  }

  /** Every process's last lines, for a failure message. */
  describe(): string {
    return this.apps.map((a) => a.describe()).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all(this.apps.map((a) => a.stop()));
    await this.ds?.destroy().catch(() => undefined);
    await this.sms?.stop().catch(() => undefined);
    await this.redis?.stop().catch(() => undefined);
    await this.pg?.stop().catch(() => undefined);
    if (!this.pgData.startsWith(this.root)) rmSync(dirname(this.pgData), { recursive: true, force: true });
    rmSync(this.root, { recursive: true, force: true });
  }
}
