/**
 * Loading and checking deploy/k8s without a cluster: every YAML document parsed, each object validated with
 * kubernetes-models (the Kubernetes OpenAPI schemas compiled to validators), and — what those validators let pass —
 * every field name checked against the model's own type declarations, so a misspelt `livenesProbe` fails too.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Job } from 'kubernetes-models/batch/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';

export const k8sDir = join(__dirname, '..', '..', 'deploy', 'k8s');

/** One object of a manifest file, as parsed. */
export interface K8sObject {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

interface ModelClass {
  new (data: never): { validate(): void };
}

/** The kinds deploy/k8s may hold, by `apiVersion/kind`, with the model that validates each and its declaration. */
export const models: Record<string, { model: ModelClass; dts: string }> = {
  'v1/ConfigMap': { model: ConfigMap, dts: 'kubernetes-models/v1/ConfigMap.d.ts' },
  'v1/Secret': { model: Secret, dts: 'kubernetes-models/v1/Secret.d.ts' },
  'v1/Service': { model: Service, dts: 'kubernetes-models/v1/Service.d.ts' },
  'apps/v1/Deployment': {
    model: Deployment,
    dts: 'kubernetes-models/apps/v1/Deployment.d.ts',
  },
  'batch/v1/Job': { model: Job, dts: 'kubernetes-models/batch/v1/Job.d.ts' },
  'policy/v1/PodDisruptionBudget': {
    model: PodDisruptionBudget,
    dts: 'kubernetes-models/policy/v1/PodDisruptionBudget.d.ts',
  },
};

/** Every `.yaml` file under deploy/k8s. */
export function manifestFiles(): string[] {
  return readdirSync(k8sDir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort();
}

/** The documents of one file's text; a YAML error or warning throws, naming the file. */
export function parseManifest(file: string, text: string): Array<Record<string, unknown>> {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new Error(`${file}: not a YAML stream`);
  return docs.map((doc, i) => {
    const problems = [...doc.errors, ...doc.warnings].map((e) => e.message);
    if (problems.length) throw new Error(`${file}, document ${i + 1}: ${problems.join('; ')}`);
    const value: unknown = doc.toJS();
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw new Error(`${file}, document ${i + 1}: not a mapping`);
    return value as Record<string, unknown>;
  });
}

/** Every Kubernetes object of deploy/k8s (kustomization.yaml is kustomize's own file, not an object). */
export function loadObjects(): K8sObject[] {
  return manifestFiles()
    .filter((f) => f !== 'kustomization.yaml')
    .flatMap((file) =>
      parseManifest(file, readFileSync(join(k8sDir, file), 'utf8')).map((o) => ({ ...o, file }) as K8sObject),
    );
}

/**
 * The problems of one object: its kind must be one of `models`, the model's validator must accept it, and every
 * field must be one the Kubernetes type declares. An empty list means valid.
 */
export function objectProblems(obj: Record<string, unknown>): string[] {
  const key = `${String(obj.apiVersion)}/${String(obj.kind)}`;
  const entry = models[key];
  if (!entry) return [`${key}: not a kind deploy/k8s is checked for (add it to test/k8s/manifests.ts)`];
  const problems: string[] = [];
  const { file: _file, ...data } = obj;
  try {
    new entry.model(data as never).validate();
  } catch (err) {
    problems.push(err instanceof Error ? err.message : String(err));
  }
  problems.push(...unknownFields(data, packageFile(entry.dts, __dirname), String(obj.kind)));
  return problems;
}

/* ---------- field names against the models' .d.ts declarations ---------- */

interface Declared {
  /** field name -> the .d.ts file of its object type (undefined: a scalar, a string map or a type alias) */
  fields: Map<string, string | undefined>;
}

const declarations = new Map<string, Declared>();

/** The fields of the first interface a kubernetes-models .d.ts file exports, with where their types are declared. */
function declared(dtsFile: string): Declared {
  const cached = declarations.get(dtsFile);
  if (cached) return cached;
  const text = readFileSync(dtsFile, 'utf8');
  const imports = new Map<string, string>();
  for (const m of text.matchAll(/^import \{ (\w+) \} from "([^"]+)";$/gm)) imports.set(m[1]!, m[2]!);
  const body = /^export interface \w+(?: extends [\w, ]+)? \{\n([\s\S]*?)^\}/m.exec(text)?.[1] ?? '';
  const fields = new Map<string, string | undefined>();
  for (const m of body.matchAll(/^ {4}"([^"]+)"\??: (.*)$/gm)) {
    const typeName = /^(?:Array<)?(I\w+)>?;$/.exec(m[2]!)?.[1];
    const from = typeName ? imports.get(typeName) : undefined;
    fields.set(m[1]!, from ? resolveDts(dtsFile, from) : undefined);
  }
  const result = { fields };
  declarations.set(dtsFile, result);
  return result;
}

function resolveDts(fromFile: string, specifier: string): string | undefined {
  const candidate = specifier.startsWith('.')
    ? join(dirname(fromFile), `${specifier}.d.ts`)
    : packageFile(`${specifier}.d.ts`, dirname(fromFile));
  if (!existsSync(candidate)) return undefined;
  // A type alias (IntOrString, Quantity) declares no interface: nothing to check inside it.
  return /^export interface /m.test(readFileSync(candidate, 'utf8')) ? candidate : undefined;
}

/** A file inside an installed package, found as Node would find the package (their exports maps hide the .d.ts). */
function packageFile(specifier: string, fromDir: string): string {
  const parts = specifier.split('/');
  const pkg = parts.slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
  const rest = parts.slice(pkg.split('/').length).join('/');
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', pkg);
    if (existsSync(candidate)) return join(candidate, rest);
    if (dirname(dir) === dir) throw new Error(`package ${pkg} not found from ${fromDir}`);
  }
}

function unknownFields(value: unknown, dtsFile: string, path: string): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => unknownFields(v, dtsFile, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  const { fields } = declared(dtsFile);
  return Object.entries(value).flatMap(([k, v]) => {
    if (!fields.has(k)) return [`${path}.${k}: no such field in ${dtsFile.split('/').pop()!.replace('.d.ts', '')}`];
    const inner = fields.get(k);
    return inner ? unknownFields(v, inner, `${path}.${k}`) : [];
  });
}

/* ---------- quantities ---------- */

const binary: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024 };
const decimal: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9 };

/** A memory quantity (`768Mi`, `1Gi`, `512M`, bytes) in MiB. */
export function mebibytes(quantity: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|k|M|G)?$/.exec(quantity);
  if (!m) throw new Error(`not a memory quantity: ${quantity}`);
  const n = Number(m[1]);
  const unit = m[2];
  if (unit && unit in binary) return n * binary[unit]!;
  return (n * (unit ? decimal[unit]! : 1)) / 2 ** 20;
}
