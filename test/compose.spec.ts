/**
 * Static checks of Dockerfile, .dockerignore and docker-compose.yml (no Docker engine needed):
 * compose sets every variable the apps read, start order, health checks on the right ports,
 * commands that point at files `nest build` produces, and a multi-stage, non-root image.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { appPort, configSchema, loadConfig, type AppName } from '@kefu/shared';

const root = join(__dirname, '..');
const readText = (file: string): string => readFileSync(join(root, file), 'utf8');

const apps: readonly AppName[] = ['intake', 'scheduler', 'notifier'];
const configKeys = Object.keys(configSchema.shape).sort();
const portVariable: Record<AppName, string> = {
  intake: 'INTAKE_PORT',
  scheduler: 'SCHEDULER_PORT',
  notifier: 'NOTIFIER_PORT',
};

/* ---------- compose interpolation (the subset Compose implements and this file uses) ---------- */

type Env = Readonly<Record<string, string | undefined>>;

class MissingVariableError extends Error {}

const interpolation = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** `$$`, `$V`, `${V}`, `${V:-default}`, `${V-default}`, `${V:?error}`, `${V?error}`, as `docker compose` resolves them. */
function interpolate(text: string, env: Env): string {
  return text.replace(
    interpolation,
    (
      match: string,
      braced: string | undefined,
      op: string | undefined,
      arg: string | undefined,
      bare: string | undefined,
    ) => {
      if (match === '$$') return '$';
      const name = braced ?? bare ?? '';
      const value = env[name];
      switch (op) {
        case ':-':
          return value ? value : (arg ?? '');
        case '-':
          return value ?? arg ?? '';
        case ':?':
          if (!value) throw new MissingVariableError(`${name}: ${arg ?? ''}`);
          return value;
        case '?':
          if (value === undefined) throw new MissingVariableError(`${name}: ${arg ?? ''}`);
          return value;
        case undefined:
        default:
          return value ?? '';
      }
    },
  );
}

function interpolateDeep(value: unknown, env: Env): unknown {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((v: unknown) => interpolateDeep(v, env));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateDeep(v, env)]));
  }
  return value;
}

/* ---------- the parts of the compose file that are checked ---------- */

const stringOrList = z.union([z.string(), z.array(z.string())]);
const serviceSchema = z.object({
  image: z.string().optional(),
  build: z.union([z.string(), z.object({ context: z.string() })]).optional(),
  command: stringOrList.optional(),
  environment: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  depends_on: z.record(z.string(), z.object({ condition: z.string() })).optional(),
  healthcheck: z.object({ test: stringOrList }).optional(),
  restart: z.string().optional(),
  ports: z.array(z.string()).optional(),
  volumes: z.array(z.string()).optional(),
});
type Service = z.output<typeof serviceSchema>;
const composeSchema = z.object({
  services: z.record(z.string(), serviceSchema),
  volumes: z.record(z.string(), z.unknown()).optional(),
});
type Compose = z.output<typeof composeSchema>;

const composeText = readText('docker-compose.yml');
const secrets: Env = {
  AUTH_TOKEN_SECRET: '7f3a9c2e41b8d6f05a1e9c73b2d84f60e5a1c9b7d3f28e46a0c5b19d7e2f4a86',
  POSTGRES_PASSWORD: 'compose-spec-password',
  POSTGRES_APP_PASSWORD: 'compose-spec-app-password',
  PUBLIC_BASE_URL: 'https://kefu.example.com',
};

/** docker-compose.yml as Compose would see it with the given shell/.env variables. */
function loadCompose(env: Env = secrets): Compose {
  const raw: unknown = parse(composeText, { merge: true });
  return composeSchema.parse(interpolateDeep(raw, env));
}

function service(compose: Compose, name: string): Service {
  const s = compose.services[name];
  if (!s) throw new Error(`docker-compose.yml has no service "${name}"`);
  return s;
}

/** `command` / healthcheck `test` as argv (the string form is split on whitespace, as Compose does for simple commands). */
function argv(cmd: string | string[] | undefined): string[] {
  if (cmd === undefined) return [];
  return Array.isArray(cmd) ? cmd : cmd.trim().split(/\s+/);
}

/** A service's environment as the process sees it (strings; null = passed through from the shell, unset here). */
function processEnv(s: Service): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.environment ?? {})) if (v !== null) out[k] = String(v);
  return out;
}

/* ---------- build layout: where `nest build` puts each entry point ---------- */

const nestCli = z
  .object({ projects: z.record(z.string(), z.object({ type: z.string(), entryFile: z.string() })) })
  .parse(JSON.parse(readText('nest-cli.json')));
const tsconfigBuild = z
  .object({ compilerOptions: z.object({ rootDir: z.string(), outDir: z.string() }), include: z.array(z.string()) })
  .parse(JSON.parse(readText('tsconfig.build.json')));

/** dist path of a source file (without extension) per tsconfig.build.json: outDir + path relative to rootDir. */
function builtPath(sourceWithoutExt: string): string {
  const rel = posix.relative(posix.normalize(tsconfigBuild.compilerOptions.rootDir), sourceWithoutExt);
  return `${posix.normalize(tsconfigBuild.compilerOptions.outDir)}/${rel}.js`;
}

function isCompiled(sourceFile: string): boolean {
  return tsconfigBuild.include.some((glob) => sourceFile.startsWith(glob.split('/**')[0]! + '/'));
}

/* ---------- Dockerfile ---------- */

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

function dockerfileStages(text: string): Stage[] {
  const logical: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue; // comments (and the syntax directive), also inside continuations
    if (/\\\s*$/.test(line)) {
      current += line.replace(/\\\s*$/, ' ');
      continue;
    }
    current += line;
    if (current.trim()) logical.push(current.trim());
    current = '';
  }
  if (current.trim()) logical.push(current.trim());

  const stages: Stage[] = [];
  for (const line of logical) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const instruction: Instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') {
      const m = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      stages.push({ from: m?.[1] ?? '', name: m?.[2], instructions: [] });
    } else if (instruction.keyword !== 'ARG' || stages.length > 0) {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

const dockerfile = readText('Dockerfile');
const stages = dockerfileStages(dockerfile);
const allInstructions = stages.flatMap((s) => s.instructions);
const finalStage = stages.at(-1);

function stageNamed(name: string): Stage {
  const stage = stages.find((s) => s.name === name);
  if (!stage) throw new Error(`Dockerfile has no stage "${name}"`);
  return stage;
}

/** Context sources of COPY instructions without --from (what must not be in .dockerignore). */
function contextCopies(stage: Stage): string[] {
  return stage.instructions
    .filter((i) => i.keyword === 'COPY' && !/--from=/.test(i.args))
    .flatMap((i) => {
      const parts = i.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      return parts.slice(0, -1);
    });
}

/* ======================================================================== */

describe('docker-compose.yml', () => {
  const compose = loadCompose();

  it('defines postgres, redis, the migrate job and the three apps', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      expect.arrayContaining(['intake', 'migrate', 'notifier', 'postgres', 'redis', 'scheduler']),
    );
  });

  it('refuses to start without AUTH_TOKEN_SECRET, POSTGRES_PASSWORD or PUBLIC_BASE_URL', () => {
    expect(() => loadCompose({})).toThrow(MissingVariableError);
    const { PUBLIC_BASE_URL: _public, ...noPublicUrl } = secrets;
    expect(() => loadCompose(noPublicUrl)).toThrow(/PUBLIC_BASE_URL/);
    const url = { PUBLIC_BASE_URL: secrets.PUBLIC_BASE_URL, POSTGRES_APP_PASSWORD: 'x' };
    expect(() => loadCompose({ ...url, POSTGRES_PASSWORD: 'x' })).toThrow(/AUTH_TOKEN_SECRET/);
    expect(() => loadCompose({ ...url, AUTH_TOKEN_SECRET: 's'.repeat(40) })).toThrow(/POSTGRES_PASSWORD/);
    expect(() => loadCompose({ ...url, POSTGRES_PASSWORD: 'x', AUTH_TOKEN_SECRET: '' })).toThrow(/AUTH_TOKEN_SECRET/);
  });

  describe.each(apps)('%s', (app) => {
    const s = service(compose, app);

    it('sets every variable of configSchema (the app reads them all), and only those', () => {
      const env = Object.keys(s.environment ?? {});
      expect(configKeys.filter((k) => !env.includes(k))).toEqual([]);
      expect(env.filter((k) => !configKeys.includes(k))).toEqual([]);
    });

    it('gets an environment the app accepts, in production mode, pointing at the compose services', () => {
      const config = loadConfig(processEnv(s));
      expect(config.NODE_ENV).toBe('production');
      expect(config.HTTP_HOST).toBe('0.0.0.0');
      expect(new URL(config.DATABASE_URL).hostname).toBe('postgres');
      // The least-privilege role, not the owner (issue 16, 11).
      expect(new URL(config.DATABASE_URL).username).toBe('kefu_app');
      expect(new URL(config.DATABASE_URL).password).toBe(secrets.POSTGRES_APP_PASSWORD);
      expect(new URL(config.REDIS_URL).hostname).toBe('redis');
      expect(config.AUTH_TOKEN_SECRET).toBe(secrets.AUTH_TOKEN_SECRET);
      expect(config.LOG_FORMAT).toBe('json'); // pino-pretty is a devDependency, not in the image
    });

    it('starts after migrate completed successfully and Redis (and Postgres) are healthy', () => {
      expect(s.depends_on?.migrate?.condition).toBe('service_completed_successfully');
      expect(s.depends_on?.redis?.condition).toBe('service_healthy');
      expect(s.depends_on?.postgres?.condition ?? 'service_healthy').toBe('service_healthy');
      expect(s.restart).toBe('unless-stopped');
    });

    it.each<[string, Env]>([
      ['default ports', secrets],
      ['ports overridden', { ...secrets, INTAKE_PORT: '4100', SCHEDULER_PORT: '4101', NOTIFIER_PORT: '4102' }],
    ])('health-checks GET /healthz on the port it listens on (%s)', (_label, env) => {
      const svc = service(loadCompose(env), app);
      const listening = appPort(loadConfig(processEnv(svc)), app);
      expect(processEnv(svc)[portVariable[app]]).toBe(String(listening));

      const test = argv(svc.healthcheck?.test);
      expect(['CMD', 'CMD-SHELL']).toContain(test[0]);
      expect(test[1]).toBe('node');
      const url = /fetch\('(http:\/\/(?:127\.0\.0\.1|localhost):(\d+)\/healthz)'\)/.exec(test.join(' '));
      expect(url?.[2]).toBe(String(listening));
      expect(test.join(' ')).toMatch(/process\.exit\(r\.ok\s*\?\s*0\s*:\s*1\)/);

      // A published port maps to the port the app listens on.
      for (const mapping of svc.ports ?? []) expect(mapping.split(':').at(-1)).toBe(String(listening));
      if (app === 'intake') expect(svc.ports?.length).toBeGreaterThan(0);
    });

    it('runs the entry point `nest build` produces from apps/<app>/src/main.ts', () => {
      const entryFile = nestCli.projects[app]?.entryFile;
      expect(entryFile).toBe(`apps/${app}/src/main`);
      expect(existsSync(join(root, `${entryFile}.ts`))).toBe(true);
      expect(isCompiled(`${entryFile}.ts`)).toBe(true);
      expect(argv(s.command)).toEqual(['node', builtPath(`apps/${app}/src/main`)]);
      expect(builtPath(`apps/${app}/src/main`)).toBe(`dist/apps/${app}/src/main.js`);
    });
  });

  it('runs migrations once, before the apps, from dist/tools/cli.js once Postgres is healthy', () => {
    const migrate = service(compose, 'migrate');
    expect(existsSync(join(root, 'tools/cli.ts'))).toBe(true);
    expect(isCompiled('tools/cli.ts')).toBe(true);
    expect(argv(migrate.command)).toEqual(['node', builtPath('tools/cli'), 'migrate']);
    expect(builtPath('tools/cli')).toBe('dist/tools/cli.js');
    expect(migrate.depends_on?.postgres?.condition).toBe('service_healthy');
    expect(migrate.restart).toBe('no');
    // Migrations run as the owner, which then grants the apps' role exactly the apps' URL.
    expect(new URL(processEnv(migrate).DATABASE_URL!).username).toBe('kefu');
    expect(new URL(processEnv(migrate).DATABASE_URL!).password).toBe(secrets.POSTGRES_PASSWORD);
    expect(processEnv(migrate).APP_DATABASE_URL).toBe(processEnv(service(compose, 'intake')).DATABASE_URL);
    // No app runs migrations itself: only the migrate service's command does.
    for (const app of apps) expect(argv(service(compose, app).command)).not.toContain('migrate');
  });

  it('runs the migrate job and the apps from the one image built by ./Dockerfile', () => {
    const images = new Set(['migrate', ...apps].map((name) => service(compose, name).image));
    expect(images.size).toBe(1);
    for (const name of ['migrate', ...apps]) {
      const build = service(compose, name).build;
      expect(typeof build === 'string' ? build : build?.context).toBe('.');
    }
  });

  it('runs Postgres 16 on a volume, health-checked with pg_isready', () => {
    const pg = service(compose, 'postgres');
    expect(pg.image).toMatch(/^postgres:16\b/);
    expect(pg.volumes?.some((v) => v.endsWith(':/var/lib/postgresql/data'))).toBe(true);
    expect(argv(pg.healthcheck?.test).join(' ')).toContain('pg_isready');
    const env = processEnv(pg);
    const url = new URL(processEnv(service(compose, 'migrate')).DATABASE_URL ?? '');
    expect(decodeURIComponent(url.username)).toBe(env.POSTGRES_USER);
    expect(decodeURIComponent(url.password)).toBe(env.POSTGRES_PASSWORD);
    expect(url.pathname).toBe(`/${env.POSTGRES_DB}`);
  });

  it('runs Redis 7 with --appendonly yes on a volume, health-checked with redis-cli ping', () => {
    const redis = service(compose, 'redis');
    expect(redis.image).toMatch(/^redis:7\b/);
    const cmd = argv(redis.command);
    expect(cmd[cmd.indexOf('--appendonly') + 1]).toBe('yes');
    expect(cmd.indexOf('--appendonly')).toBeGreaterThan(-1);
    expect(redis.volumes?.some((v) => v.endsWith(':/data'))).toBe(true);
    expect(argv(redis.healthcheck?.test).slice(-2)).toEqual(['redis-cli', 'ping']);
  });

  it('declares the named volumes it mounts', () => {
    for (const s of Object.values(compose.services)) {
      for (const v of s.volumes ?? []) {
        const source = v.split(':')[0] ?? '';
        if (!source.startsWith('.') && !source.startsWith('/'))
          expect(Object.keys(compose.volumes ?? {})).toContain(source);
      }
    }
  });

  it('documents every variable of the shared environment with a comment', () => {
    const lines = composeText.split('\n');
    const start = lines.findIndex((l) => /^x-kefu-env:\s*&kefu-env\b/.test(l));
    expect(start).toBeGreaterThanOrEqual(0);
    const end = lines.findIndex((l, i) => i > start && /^\S/.test(l));
    const block = lines.slice(start + 1, end === -1 ? undefined : end);
    const undocumented: string[] = [];
    block.forEach((line, i) => {
      const m = /^\s+([A-Z][A-Z0-9_]*):/.exec(line);
      if (!m) return;
      const previous = block[i - 1] ?? '';
      if (!/^\s+#\s*\S/.test(previous) && !/\s#\s*\S/.test(line)) undocumented.push(m[1]!);
    });
    expect(undocumented).toEqual([]);
  });
});

describe('Dockerfile', () => {
  it('has deps, build and runtime stages', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(stages.map((s) => s.name)).toEqual(expect.arrayContaining(['deps', 'build', 'runtime']));
    expect(finalStage?.name).toBe('runtime');
    for (const s of stages) expect(s.from).toMatch(/^(\$\{NODE_IMAGE\}|node:20\b|base$)/);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
  });

  it('installs with npm ci and --ignore-scripts everywhere, production dependencies only for the runtime', () => {
    const npmCi = allInstructions.filter((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args));
    expect(npmCi.length).toBeGreaterThanOrEqual(2);
    for (const i of npmCi) expect(i.args).toContain('--ignore-scripts');
    expect(
      stageNamed('deps').instructions.find((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args))?.args,
    ).toContain('--omit=dev');
    expect(allInstructions.some((i) => /\bnpm (install|i)\b/.test(i.args))).toBe(false);
  });

  it('builds with `nest build` in the build stage from every directory tsconfig.build.json compiles', () => {
    const build = stageNamed('build');
    expect(build.instructions.some((i) => i.keyword === 'RUN' && /\bnest build\b/.test(i.args))).toBe(true);
    const copied = contextCopies(build).map((p) => p.replace(/^\.\//, '').replace(/\/$/, ''));
    for (const glob of tsconfigBuild.include) expect(copied).toContain(glob.split('/')[0]);
    expect(copied).toEqual(
      expect.arrayContaining([
        'nest-cli.json',
        'tsconfig.json',
        'tsconfig.build.json',
        'package.json',
        'package-lock.json',
      ]),
    );
  });

  it('runtime: NODE_ENV=production, dist from build, node_modules from deps, non-root user, no HEALTHCHECK', () => {
    const runtime = stageNamed('runtime');
    const ins = runtime.instructions;
    expect(ins.some((i) => i.keyword === 'ENV' && /\bNODE_ENV=production\b/.test(i.args))).toBe(true);
    expect(ins.some((i) => i.keyword === 'WORKDIR' && i.args === '/app')).toBe(true);
    expect(ins.some((i) => i.keyword === 'COPY' && /--from=build\s+\/app\/dist\s+(\.\/)?dist\/?$/.test(i.args))).toBe(
      true,
    );
    expect(
      ins.some(
        (i) => i.keyword === 'COPY' && /--from=deps\s+\/app\/node_modules\s+(\.\/)?node_modules\/?$/.test(i.args),
      ),
    ).toBe(true);
    const user = ins.filter((i) => i.keyword === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(allInstructions.some((i) => i.keyword === 'HEALTHCHECK')).toBe(false);
    // An init as PID 1 forwards SIGTERM to node (Nest shutdown hooks).
    expect(ins.find((i) => i.keyword === 'ENTRYPOINT')?.args).toMatch(/tini/);
    expect(ins.find((i) => i.keyword === 'CMD')?.args).toContain('dist/apps/intake/src/main.js');
  });

  it('.dockerignore keeps host artifacts out and every file the Dockerfile copies in', () => {
    const ignored = readText('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.data', '.git', '.env']));
    for (const stage of stages) {
      for (const src of contextCopies(stage))
        expect(ignored).not.toContain(src.replace(/^\.\//, '').replace(/\/$/, ''));
    }
  });
});
