import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';

export interface LocalRedis {
  url: string;
  port: number;
  process: ChildProcess;
  stop: () => Promise<void>;
}

/** The command a user should run when `redis-server` is missing, for this OS. */
export function redisInstallHint(): string {
  return 'apt-get update && apt-get install -y redis-server   (Debian/Ubuntu; macOS: brew install redis)';
}

export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const sock = createConnection({ port, host: '127.0.0.1' });
      sock.once('connect', () => {
        sock.end();
        resolve();
      });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error(`redis-server did not listen on ${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/**
 * Starts `redis-server` from PATH on 127.0.0.1:port; persistent mode keeps an append-only file in dir.
 * `detached` puts it in a process group of its own, so a terminal's Ctrl-C does not reach it before the
 * apps that use it are stopped.
 */
export async function startRedisServer(opts: {
  port: number;
  dir: string;
  persistent: boolean;
  detached?: boolean;
  onLog?: (line: string) => void;
  /** More redis-server arguments (a cluster node's, a replica's). */
  extraArgs?: string[];
}): Promise<LocalRedis> {
  if (!hasRedisServer()) throw new Error(`redis-server is not installed. Install it with:\n  ${redisInstallHint()}`);
  mkdirSync(opts.dir, { recursive: true });
  const args = [
    '--port',
    String(opts.port),
    '--bind',
    '127.0.0.1',
    '--dir',
    opts.dir,
    '--save',
    '',
    '--protected-mode',
    'yes',
  ];
  args.push('--appendonly', opts.persistent ? 'yes' : 'no', ...(opts.extraArgs ?? []));
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: opts.detached ?? false });
  child.stdout?.on('data', (b: Buffer) => opts.onLog?.(b.toString()));
  child.stderr?.on('data', (b: Buffer) => opts.onLog?.(b.toString()));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`redis-server exited with code ${code} before it was ready`))),
  );
  await Promise.race([waitForPort(opts.port, 10_000), exited]);
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { url: `redis://127.0.0.1:${opts.port}`, port: opts.port, process: child, stop };
}
