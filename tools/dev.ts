/**
 * README command 1 (`npm start`): the whole system on one machine.
 * Embedded Postgres (data in .data/postgres, reused) unless DATABASE_URL is set; redis-server from PATH
 * (installed with apt on Debian/Ubuntu as root) unless REDIS_URL is set; migrations; the demo estate once;
 * the three apps with prefixed logs. Ctrl-C stops everything, databases included.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import {
  dataSourceOptions,
  ensureDatabase,
  hasRedisServer,
  reachableDataDir,
  redisInstallHint,
  grantAppRole,
  runMigrations,
  startEmbeddedPostgres,
  startRedisServer,
  stopStalePostgres,
  type LocalPostgres,
  type LocalRedis,
} from '@kefu/shared';
import { loadDemoData } from './demo-data';
import { startLocalProviders, type LocalProviders } from './local-providers';

const root = resolve(__dirname, '..', '..');
const dataDir = resolve(process.env.KEFU_DATA_DIR ?? join(root, '.data'));
const apps = [
  { name: 'intake', port: Number(process.env.INTAKE_PORT ?? 3000), color: 36 },
  { name: 'scheduler', port: Number(process.env.SCHEDULER_PORT ?? 3001), color: 35 },
  { name: 'notifier', port: Number(process.env.NOTIFIER_PORT ?? 3002), color: 33 },
] as const;

// Colours only on a terminal: CI logs and files stay plain.
const tty = process.stdout.isTTY === true;
const paint = (code: number, text: string) => (tty ? `\x1b[${code}m${text}\x1b[0m` : text);
const say = (msg: string) => process.stdout.write(`${paint(1, '[kefu]')} ${msg}\n`);

/** Secrets generated once per checkout and kept in .data (git-ignored). */
function localSecrets(): { pgPassword: string; pgAppPassword: string; tokenSecret: string; staffPassword: string } {
  const file = join(dataDir, 'local-secrets.json');
  const kept = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<ReturnType<typeof localSecrets>>)
    : {};
  // A checkout from before a secret existed gets it added, the others kept.
  const secrets = {
    pgPassword: kept.pgPassword ?? randomBytes(12).toString('hex'),
    pgAppPassword: kept.pgAppPassword ?? randomBytes(12).toString('hex'),
    tokenSecret: kept.tokenSecret ?? randomBytes(32).toString('hex'),
    staffPassword: kept.staffPassword ?? `demo-${randomBytes(5).toString('hex')}`,
  };
  if (Object.keys(kept).length !== Object.keys(secrets).length)
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

function ensureRedisInstalled(): void {
  if (hasRedisServer()) return;
  const debian = existsSync('/etc/debian_version');
  if (process.getuid?.() === 0 && debian) {
    say('redis-server is missing: installing it with apt-get (Debian/Ubuntu, as root)…');
    const r = spawnSync(
      'sh',
      ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server'],
      { stdio: 'inherit' },
    );
    if (r.status === 0 && hasRedisServer()) return;
  }
  throw new Error(
    `redis-server is not installed. Install it, then run npm start again:\n  ${redisInstallHint()}\nor point REDIS_URL at a running Redis.`,
  );
}

/** The letter PDFs' CJK font (LETTER_FONT_PATH's default): installed like redis-server; without it letters wait, nothing fails. */
function ensureLetterFont(): void {
  const font = process.env.LETTER_FONT_PATH ?? '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';
  if (existsSync(font)) return;
  if (process.getuid?.() === 0 && existsSync('/etc/debian_version')) {
    say('the letter font is missing: installing fonts-wqy-microhei with apt-get…');
    spawnSync(
      'sh',
      ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei'],
      { stdio: 'inherit' },
    );
  }
  if (!existsSync(font))
    say(
      `no CJK font at ${font}: EMS letters will wait until one is installed (apt-get install fonts-wqy-microhei, or set LETTER_FONT_PATH)`,
    );
}

async function waitHealthy(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no healthy answer on port ${port} within ${timeoutMs / 1000} s`);
}

function prefixLines(stream: NodeJS.ReadableStream | null, label: string): void {
  let buf = '';
  stream?.on('data', (chunk: Buffer) => {
    buf += chunk.toString();
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    for (const line of lines) process.stdout.write(`${label} ${line}\n`);
  });
}

async function main(): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  const secrets = localSecrets();
  const children: ChildProcess[] = [];
  let pg: LocalPostgres | undefined;
  let redis: LocalRedis | undefined;
  let providers: LocalProviders | undefined;
  let stopping = false;

  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((res) => {
            if (c.exitCode !== null || c.signalCode !== null) return res();
            const kill = setTimeout(() => c.kill('SIGKILL'), 10_000);
            c.once('exit', () => {
              clearTimeout(kill);
              res();
            });
            c.kill('SIGTERM');
          }),
      ),
    );
    await providers?.stop();
    await redis?.stop();
    await pg?.stop();
    say('stopped.');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    let databaseUrl = process.env.DATABASE_URL;
    if (!databaseUrl) {
      const port = Number(process.env.KEFU_PG_PORT ?? 54329);
      // As root in a checkout other users cannot enter, the postgres user's data lives outside it.
      const pgData = reachableDataDir(join(dataDir, 'postgres'));
      stopStalePostgres(pgData);
      say(`starting embedded Postgres on 127.0.0.1:${port} (data in ${pgData})…`);
      pg = await startEmbeddedPostgres({ dataDir: pgData, port, password: secrets.pgPassword, detached: true });
      await ensureDatabase(pg.url(), 'kefu');
      databaseUrl = pg.url('kefu');
    }
    let redisUrl = process.env.REDIS_URL;
    if (!redisUrl) {
      ensureRedisInstalled();
      const port = Number(process.env.KEFU_REDIS_PORT ?? 63799);
      say(`starting redis-server on 127.0.0.1:${port} (append-only file in ${join(dataDir, 'redis')})…`);
      redis = await startRedisServer({ port, dir: join(dataDir, 'redis'), persistent: true, detached: true });
      redisUrl = redis.url;
    }
    ensureLetterFont();

    const applied = await runMigrations(databaseUrl);
    say(applied.length ? `migrations applied: ${applied.join(', ')}` : 'database schema is up to date');
    // The apps connect as a least-privilege role, as in production (docker-compose.yml); a DATABASE_URL of your
    // own is used as it is.
    let appDatabaseUrl = databaseUrl;
    if (pg) {
      const url = new URL(databaseUrl);
      url.username = 'kefu_app';
      url.password = secrets.pgAppPassword;
      appDatabaseUrl = url.toString();
      await grantAppRole(databaseUrl, appDatabaseUrl);
    }

    const ds = new DataSource(dataSourceOptions(databaseUrl, { poolSize: 2, applicationName: 'kefu-dev' }));
    await ds.initialize();
    const demo = await loadDemoData(ds, secrets.staffPassword).finally(() => ds.destroy());
    if (demo.created)
      say(
        `demo data loaded: estate 碧海云天 (COBZS001), ${demo.units} units, ${demo.owners} owners, one staff member per role`,
      );

    providers = await startLocalProviders({
      dataDir,
      env: process.env,
      databaseUrl,
      notifierUrl: `http://127.0.0.1:${apps[2].port}`,
      smsPort: Number(process.env.KEFU_LOCAL_SMS_PORT ?? 3003),
      outboxPort: Number(process.env.KEFU_LOCAL_OUTBOX_PORT ?? 3004),
      imapPort: Number(process.env.KEFU_LOCAL_IMAP_PORT ?? 3143),
      smtpPort: Number(process.env.KEFU_LOCAL_SMTP_PORT ?? 2525),
    });
    for (const line of providers.describe) say(line);

    const env = {
      ...process.env,
      ...providers.env,
      DATABASE_URL: appDatabaseUrl,
      REDIS_URL: redisUrl,
      AUTH_TOKEN_SECRET: process.env.AUTH_TOKEN_SECRET ?? secrets.tokenSecret,
      LOG_FORMAT: process.env.LOG_FORMAT ?? 'pretty',
      NODE_ENV: process.env.NODE_ENV ?? 'development',
      INTAKE_PORT: String(apps[0].port),
      SCHEDULER_PORT: String(apps[1].port),
      NOTIFIER_PORT: String(apps[2].port),
      PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL ?? `http://localhost:${apps[0].port}`,
      // The console on intake passes reminders, batches, warranty, notifications and letters through to these.
      SCHEDULER_INTERNAL_URL: process.env.SCHEDULER_INTERNAL_URL ?? `http://127.0.0.1:${apps[1].port}`,
      NOTIFIER_INTERNAL_URL: process.env.NOTIFIER_INTERNAL_URL ?? `http://127.0.0.1:${apps[2].port}`,
    };
    for (const app of apps) {
      const child = spawn(
        process.execPath,
        ['--enable-source-maps', join(root, 'dist', 'apps', app.name, 'src', 'main.js')],
        { env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const label = paint(app.color, `[${app.name.padEnd(9)}]`);
      prefixLines(child.stdout, label);
      prefixLines(child.stderr, label);
      child.once('exit', (code, signal) => {
        if (!stopping) {
          say(`${app.name} stopped unexpectedly (${signal ?? `exit code ${code}`}); stopping everything.`);
          void shutdown(1);
        }
      });
      children.push(child);
    }
    await Promise.all(
      apps.map((app, i) =>
        waitHealthy(app.port, children[i]!, 60_000).catch((err: Error) => {
          throw new Error(`${app.name}: ${err.message}`);
        }),
      ),
    );

    say('Kefu is up:');
    for (const app of apps)
      say(
        `  ${app.name.padEnd(9)} http://localhost:${app.port}   (API docs http://localhost:${app.port}/api/docs, health /healthz)`,
      );
    say(`  console   http://localhost:${apps[0].port}/console   (operators, staff and managers work here)`);
    if (providers.env.LOCAL_PROVIDERS_URL)
      say(`  local outbox http://localhost:${apps[0].port}/console#/outbox   (what owners and staff received here)`);
    say(
      `staff logins (password for all: ${secrets.staffPassword}): ${demo.staff.map((s) => `${s.login} (${s.role})`).join(', ')}`,
    );
    say(
      `  e.g. curl -s -XPOST localhost:${apps[0].port}/api/v1/auth/login -H 'content-type: application/json' -d '{"login":"admin","password":"${secrets.staffPassword}"}'`,
    );
    say('Ctrl-C stops everything.');
  } catch (err) {
    process.stderr.write(`[kefu] could not start: ${err instanceof Error ? err.message : String(err)}\n`);
    await shutdown(1);
  }
}

void main();
