import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

export const repo = resolve(__dirname, '..', '..');
export type AppKind = 'intake' | 'scheduler' | 'notifier';

/** How many lines of each process's output a failure shows. */
const TAIL = 40;

/** One real `node dist/apps/<kind>/src/main.js`: started, SIGKILLed and started again on its own port. */
export class AppProcess {
  child: ChildProcess | undefined;
  readonly tail: string[] = [];
  kills = 0;
  private stopping = false;

  constructor(
    readonly kind: AppKind,
    readonly index: number,
    readonly port: number,
    /** Shared by every process (the stack may still add to it before they start). */
    private readonly env: NodeJS.ProcessEnv,
    /** This process's own additions. */
    private readonly ownEnv: NodeJS.ProcessEnv = {},
  ) {}

  get name(): string {
    return `${this.kind}-${this.index}`;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  start(): void {
    const portKey = `${this.kind.toUpperCase()}_PORT`;
    const child = spawn(process.execPath, [join(repo, 'dist', 'apps', this.kind, 'src', 'main.js')], {
      env: { ...this.env, ...this.ownEnv, [portKey]: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (b: Buffer) => {
      for (const line of b.toString().split('\n')) if (line.trim()) this.tail.push(line.slice(0, 400));
      if (this.tail.length > TAIL) this.tail.splice(0, this.tail.length - TAIL);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('exit', (code, signal) => {
      if (!this.stopping && signal !== 'SIGKILL') this.tail.push(`[${this.name} exited: ${signal ?? code}]`);
    });
    this.child = child;
  }

  async waitHealthy(timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child?.exitCode != null) throw new Error(`${this.name} exited (${this.child.exitCode})`);
      try {
        const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(2_000) });
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(`${this.name}: no healthy answer on ${this.port} within ${timeoutMs / 1000} s`);
  }

  /** SIGKILL: no shutdown hook runs, whatever it was doing is cut off mid-way. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.kills++;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }

  /** What a failure message shows of this process. */
  describe(): string {
    return `--- ${this.name} (port ${this.port}, killed ${this.kills}×), last lines:\n${this.tail.join('\n')}`;
  }
}
