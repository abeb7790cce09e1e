import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expectEventually } from '@kefu/shared/testing';

const repo = resolve(__dirname, '..');

const portOpen = (port: number) =>
  new Promise<boolean>((res) => {
    const s = createConnection({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      res(true);
    });
    s.once('error', () => res(false));
  });

describe('the jest harness', () => {
  it('stops its Postgres and redis-server when jest alone is sent SIGTERM (no teardown runs then)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kefu-harness-'));
    const stateFile = join(dir, 'state.json');
    // A jest of its own, with this project's setup, running only the fixture that holds the run open.
    const jest = spawn(
      process.execPath,
      [
        join(repo, 'node_modules', 'jest', 'bin', 'jest.js'),
        '--config',
        join(repo, 'jest.config.js'),
        '--testRegex',
        'holds\\.harness-fixture\\.ts$',
        '--roots',
        join(repo, 'test', 'fixtures', 'harness'),
      ],
      { cwd: repo, env: { ...process.env, KEFU_HARNESS_STATE_FILE: stateFile }, stdio: 'ignore' },
    );
    const exited = new Promise<void>((res) => jest.once('exit', () => res()));
    try {
      await expectEventually(() => expect(existsSync(stateFile)).toBe(true), { timeoutMs: 90_000 });
      const state = JSON.parse(readFileSync(stateFile, 'utf8')) as {
        root: string;
        pgAdminUrl: string;
        redisUrl: string;
      };
      const ports = [new URL(state.pgAdminUrl).port, new URL(state.redisUrl).port].map(Number);
      for (const port of ports) expect(await portOpen(port)).toBe(true);

      jest.kill('SIGTERM');
      await exited;
      for (const port of ports) expect(await portOpen(port)).toBe(false);
      expect(existsSync(state.root)).toBe(false);
    } finally {
      // Whatever failed above: SIGTERM first, so the child's harness stops its Postgres and redis-server (a
      // SIGKILL alone would leave them running), and SIGKILL only if it does not go.
      if (jest.exitCode === null && jest.signalCode === null) {
        jest.kill('SIGTERM');
        const gone = await Promise.race([
          exited.then(() => true),
          new Promise((r) => setTimeout(() => r(false), 20_000)),
        ]);
        if (!gone) jest.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
