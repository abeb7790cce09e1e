/**
 * deploy/k8s checked without a cluster: each object valid against the Kubernetes schemas (kubernetes-models) with no
 * unknown field, and the house rules — every variable the apps read is provided and accepted in production, probes
 * on the path the apps serve, heaps under the memory limits, the commands package.json runs, PDBs that let a drain
 * proceed, and the connection budget the README states.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PATH_METADATA } from '@nestjs/common/constants';
import { z } from 'zod';
import { appPort, configSchema, loadConfig, startupWarnings, type AppName } from '@kefu/shared';
import { HealthController } from '../libs/shared/src/health/health.controller';
import { IS_PUBLIC } from '../libs/shared/src/auth/auth.decorators';
import {
  k8sDir,
  loadObjects,
  manifestFiles,
  mebibytes,
  objectProblems,
  parseManifest,
  type K8sObject,
} from './k8s/manifests';

const root = join(__dirname, '..');
const apps: readonly AppName[] = ['intake', 'scheduler', 'notifier'];
const configKeys = Object.keys(configSchema.shape).sort();
const objects = loadObjects();
const scripts = z
  .object({ scripts: z.record(z.string(), z.string()) })
  .parse(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))).scripts;

const envVar = z.object({
  name: z.string(),
  value: z.string().optional(),
  valueFrom: z.object({ secretKeyRef: z.object({ name: z.string(), key: z.string() }) }).optional(),
});
const probe = z.object({ httpGet: z.object({ path: z.string(), port: z.union([z.string(), z.number()]) }) });
const container = z.object({
  name: z.string(),
  image: z.string(),
  args: z.array(z.string()),
  ports: z.array(z.object({ name: z.string(), containerPort: z.number() })).default([]),
  envFrom: z
    .array(
      z.object({
        configMapRef: z.object({ name: z.string() }).optional(),
        secretRef: z.object({ name: z.string() }).optional(),
      }),
    )
    .default([]),
  env: z.array(envVar).default([]),
  resources: z.object({
    requests: z.object({ memory: z.string() }),
    limits: z.object({ memory: z.string() }),
  }),
  startupProbe: probe.optional(),
  readinessProbe: probe.optional(),
  livenessProbe: probe.optional(),
});
const labels = z.record(z.string(), z.string());
const podSpec = z.object({ containers: z.array(container).length(1) });
const deployment = z.object({
  metadata: z.object({ name: z.string() }),
  spec: z.object({
    replicas: z.number(),
    selector: z.object({ matchLabels: labels }),
    strategy: z.object({ rollingUpdate: z.object({ maxSurge: z.number(), maxUnavailable: z.number() }) }),
    template: z.object({ metadata: z.object({ labels }), spec: podSpec }),
  }),
});
const job = z.object({
  spec: z.object({ template: z.object({ spec: podSpec.extend({ restartPolicy: z.string() }) }) }),
});
const service = z.object({
  metadata: z.object({ name: z.string() }),
  spec: z.object({
    selector: labels,
    ports: z.array(z.object({ name: z.string(), port: z.number(), targetPort: z.string() })),
  }),
});
const pdb = z.object({ spec: z.object({ minAvailable: z.number(), selector: z.object({ matchLabels: labels }) }) });
const dataOf = z.object({ data: z.record(z.string(), z.string()) });
const stringDataOf = z.object({ stringData: z.record(z.string(), z.string()) });

function find(kind: string, name: string): K8sObject {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`deploy/k8s has no ${kind} ${name}`);
  return o;
}

const configMap = dataOf.parse(find('ConfigMap', 'kefu-config')).data;
const secret = stringDataOf.parse(find('Secret', 'kefu-secrets')).stringData;
const strongSecret = '7f3a9c2e41b8d6f05a1e9c73b2d84f60e5a1c9b7d3f28e46a0c5b19d7e2f4a86';

/** The environment a container sees: envFrom (ConfigMap, then Secret), then its own env, as the kubelet merges them. */
function containerEnv(c: z.output<typeof container>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of c.envFrom) {
    if (from.configMapRef) Object.assign(env, dataOf.parse(find('ConfigMap', from.configMapRef.name)).data);
    if (from.secretRef) Object.assign(env, stringDataOf.parse(find('Secret', from.secretRef.name)).stringData);
  }
  for (const e of c.env) {
    const ref = e.valueFrom?.secretKeyRef;
    const value = ref ? stringDataOf.parse(find('Secret', ref.name)).stringData[ref.key] : e.value;
    if (value === undefined) throw new Error(`${c.name}: ${e.name} refers to a key that does not exist`);
    env[e.name] = value;
  }
  return env;
}

/** args without the heap flag, and the heap flag's MiB. */
function splitHeap(args: string[]): { command: string[]; heapMb: number | undefined } {
  const flag = args.find((a) => a.startsWith('--max-old-space-size='));
  return { command: args.filter((a) => a !== flag), heapMb: flag ? Number(flag.split('=')[1]) : undefined };
}

describe('deploy/k8s', () => {
  it.each(manifestFiles())('%s parses, and each object is valid with no unknown field', (file) => {
    for (const obj of parseManifest(file, readFileSync(join(k8sDir, file), 'utf8'))) {
      if (file === 'kustomization.yaml') continue;
      expect(objectProblems(obj)).toEqual([]);
    }
  });

  it('the checks bite: a wrong type, a misspelt field and an unknown kind are each reported', () => {
    type Mutable = { spec: { template: { spec: { containers: Array<Record<string, unknown>> } } } };
    const broken = structuredClone(find('Deployment', 'kefu-intake')) as unknown as Mutable & Record<string, unknown>;
    const c = broken.spec.template.spec.containers[0]!;
    c.image = 5;
    c.livenesProbe = c.livenessProbe;
    const problems = objectProblems(broken);
    expect(problems.join('\n')).toMatch(/image must be string/);
    expect(problems.join('\n')).toMatch(/containers\[0\]\.livenesProbe: no such field in Container/);
    expect(objectProblems({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } })).toEqual([
      expect.stringContaining('v1/Pod: not a kind'),
    ]);
  });

  it('kustomization.yaml lists every manifest but the migrate Job and the example Secret, each applied alone', () => {
    const k = z
      .object({ resources: z.array(z.string()), images: z.array(z.object({ name: z.string() })) })
      .parse(parseManifest('kustomization.yaml', readFileSync(join(k8sDir, 'kustomization.yaml'), 'utf8'))[0]);
    const expected = manifestFiles().filter(
      (f) => !['kustomization.yaml', 'migrate-job.yaml', 'secret.example.yaml'].includes(f),
    );
    expect([...k.resources].sort()).toEqual(expected);
    expect(k.images.map((i) => i.name)).toEqual(['kefu']);
  });

  it('every object carries app.kubernetes.io/name: kefu', () => {
    for (const o of objects) expect([o.file, o.metadata.labels?.['app.kubernetes.io/name']]).toEqual([o.file, 'kefu']);
  });

  it('the example Secret holds only placeholders, which production refuses (they cannot run by mistake)', () => {
    const d = deployment.parse(find('Deployment', 'kefu-intake'));
    expect(() => loadConfig(containerEnv(d.spec.template.spec.containers[0]!))).toThrow(/AUTH_TOKEN_SECRET/);
  });

  describe.each(apps)('%s', (app) => {
    const d = deployment.parse(find('Deployment', `kefu-${app}`));
    const c = d.spec.template.spec.containers[0]!;
    const env = () => ({ ...containerEnv(c), AUTH_TOKEN_SECRET: strongSecret });

    it('is given every variable the apps read, and only those (plus the migrate Job`s owner URL)', () => {
      const given = Object.keys(containerEnv(c));
      expect(configKeys.filter((k) => !given.includes(k))).toEqual([]);
      expect(given.filter((k) => !configKeys.includes(k))).toEqual(['MIGRATE_DATABASE_URL']);
    });

    it('gets an environment the app accepts in production, with no start-up warning', () => {
      const config = loadConfig(env());
      expect(config.NODE_ENV).toBe('production');
      expect(config.LOG_FORMAT).toBe('json');
      expect(startupWarnings(config)).toEqual([]);
      expect(new URL(config.DATABASE_URL).username).not.toBe(new URL(secret.MIGRATE_DATABASE_URL!).username);
    });

    it('probes GET /healthz, the public path the app serves, on the port the app listens on', () => {
      const served = `/${String(Reflect.getMetadata(PATH_METADATA, HealthController.prototype.check))}`;
      expect(Reflect.getMetadata(IS_PUBLIC, HealthController.prototype.check)).toBeTruthy();
      const http = c.ports.find((p) => p.name === 'http');
      expect(http?.containerPort).toBe(appPort(loadConfig(env()), app));
      for (const p of [c.startupProbe, c.readinessProbe, c.livenessProbe]) {
        expect(p?.httpGet).toEqual({ path: served, port: 'http' });
      }
    });

    it('runs `npm run start:<app>`s command from the one image, with a heap well under the memory limit', () => {
      const { command, heapMb } = splitHeap(c.args);
      expect(command.join(' ')).toBe(scripts[`start:${app}`]);
      expect(c.image.split(':')[0]).toBe('kefu');
      const limit = mebibytes(c.resources.limits.memory);
      expect(heapMb).toBeGreaterThan(0);
      // The heap is not all a Node process holds (code, buffers, sockets): a quarter of the limit is left for them.
      expect(heapMb!).toBeLessThanOrEqual(limit * 0.75);
      expect(mebibytes(c.resources.requests.memory)).toBeLessThanOrEqual(limit);
    });

    it('is reached through a Service on its port, selecting its own pods', () => {
      const s = service.parse(find('Service', `kefu-${app}`));
      expect(s.spec.selector).toEqual(d.spec.selector.matchLabels);
      expect(s.spec.ports).toEqual([{ name: 'http', port: appPort(loadConfig(env()), app), targetPort: 'http' }]);
      expect(d.spec.template.metadata.labels).toMatchObject(d.spec.selector.matchLabels);
    });

    it('has a PodDisruptionBudget that keeps one pod yet lets a drain proceed', () => {
      const p = pdb.parse(find('PodDisruptionBudget', `kefu-${app}`));
      expect(p.spec.selector.matchLabels).toEqual(d.spec.selector.matchLabels);
      expect(p.spec.minAvailable).toBeGreaterThanOrEqual(1);
      expect(p.spec.minAvailable).toBeLessThan(d.spec.replicas);
      expect(d.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    });
  });

  it('intake reaches the scheduler and the notifier through their Services', () => {
    for (const app of ['scheduler', 'notifier'] as const) {
      const url = new URL(configMap[`${app.toUpperCase()}_INTERNAL_URL`]!);
      const s = service.parse(find('Service', url.hostname));
      expect(s.spec.selector['app.kubernetes.io/component']).toBe(app);
      expect(String(s.spec.ports[0]!.port)).toBe(url.port);
    }
  });

  it('the migrate Job runs `npm run migration:run`s command as the owner, granting the apps` role', () => {
    const j = job.parse(find('Job', 'kefu-migrate'));
    const c = j.spec.template.spec.containers[0]!;
    expect(splitHeap(c.args).command.join(' ')).toBe(scripts['migration:run']);
    expect(j.spec.template.spec.restartPolicy).toBe('Never');
    const env = containerEnv(c);
    expect(env.DATABASE_URL).toBe(secret.MIGRATE_DATABASE_URL);
    expect(env.APP_DATABASE_URL).toBe(secret.DATABASE_URL);
    expect(splitHeap(c.args).heapMb!).toBeLessThanOrEqual(mebibytes(c.resources.limits.memory) * 0.75);
  });

  it('pools fit the jobs they run, and the README states the connection budget these replicas need', () => {
    let total = 0;
    for (const app of apps) {
      const d = deployment.parse(find('Deployment', `kefu-${app}`));
      const config = loadConfig({
        ...containerEnv(d.spec.template.spec.containers[0]!),
        AUTH_TOKEN_SECRET: strongSecret,
      });
      // A rolling update runs maxSurge pods beside the old ones: they hold connections too.
      // One connection more per process: the recurring tasks' locks (libs/shared/src/queues/task-locks.ts).
      total += (d.spec.replicas + d.spec.strategy.rollingUpdate.maxSurge) * (config.DB_POOL_SIZE + 1);
      if (app === 'scheduler') expect(config.WARRANTY_SCAN_CONNECTIONS).toBeLessThan(config.DB_POOL_SIZE);
    }
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const stated = /at most \*\*(\d+)\*\*\s+connections/.exec(readme)?.[1];
    expect(stated).toBe(String(total));
  });
});
