import { execFile, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '@kefu/shared/testing';
import { StaffEntity, verifyPassword } from '@kefu/shared';

const run = promisify(execFile);
const repo = resolve(__dirname, '..');

/** The CLI as `npm run admin:create` runs it, from source (dist is not built in `npm test`). */
async function cli(db: TestDatabase, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      'node',
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'tools/cli.ts', ...args],
      { cwd: repo, env: { ...process.env, DATABASE_URL: db.url } },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('kefu CLI', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('create-admin makes the first admin with a generated password shown once, and refuses a second with the same login', async () => {
    const first = await cli(db, 'create-admin', '--login', 'Boss', '--name', '系统管理员');
    expect(first.code).toBe(0);
    const password = /Password \(shown once\): (\S+)/.exec(first.stdout)?.[1];
    expect(password).toHaveLength(16);
    const staff = await db.dataSource
      .getRepository(StaffEntity)
      .createQueryBuilder('s')
      .addSelect('s.passwordHash')
      .where({ login: 'boss' })
      .getOneOrFail();
    expect(staff.role).toBe('admin');
    expect(await verifyPassword(password!, staff.passwordHash!)).toBe(true);

    const again = await cli(db, 'create-admin', '--login', 'boss');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
  }, 60_000);

  it('takes a chosen password on standard input only, never as an argument every user sees in ps (issue 16, 9)', async () => {
    const shown = await cli(db, 'create-admin', '--login', 'chief', '--password', 'a-long-password-123');
    expect(shown.code).toBe(2);
    expect(shown.stderr).toContain('--password-stdin');
    const piped = spawnSync(
      'node',
      [
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
        'tools/cli.ts',
        'create-admin',
        '--login',
        'chief',
        '--password-stdin',
      ],
      { cwd: repo, env: { ...process.env, DATABASE_URL: db.url }, input: 'a-long-password-123\n', encoding: 'utf8' },
    );
    expect(piped.status).toBe(0);
    expect(piped.stdout).not.toContain('a-long-password-123');
    const staff = await db.dataSource
      .getRepository(StaffEntity)
      .createQueryBuilder('s')
      .addSelect('s.passwordHash')
      .where({ login: 'chief' })
      .getOneOrFail();
    expect(await verifyPassword('a-long-password-123', staff.passwordHash!)).toBe(true);
  }, 60_000);

  it('explains bad usage and a missing DATABASE_URL without a stack trace', async () => {
    const bad = await cli(db, 'create-admin', '--login', 'x', '--password', 'short');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('usage');
    const { stdout, stderr } = await run(
      'node',
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'tools/cli.ts', 'migrate'],
      { cwd: repo, env: { ...process.env, DATABASE_URL: '' } },
    ).catch((e: { stdout: string; stderr: string }) => e);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/DATABASE_URL: is required/);
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('migrate is a no-op on an up-to-date database', async () => {
    const r = await cli(db, 'migrate');
    expect(r).toMatchObject({ code: 0, stdout: 'Database is up to date.\n' });
  }, 60_000);
});
