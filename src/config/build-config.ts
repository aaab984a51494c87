// `tokenwatt build --config tokenwatt.build.yaml`: a team's own file of selectors, thresholds,
// receivers, prices and hosts, laid over defaultConfig (src/config/mixin.ts) the way a monitoring
// mixin's `_config` is. Every field is optional; objects merge key by key, lists and maps of your
// own (static targets, GPU prices) replace the default whole.
//
// The schema is derived from defaultConfig itself, so a field added there is accepted here with the
// type of its default (a default such as '5m' makes the field a Prometheus duration), and strict: an
// unknown key or a wrong type is refused, naming the field, with "did you mean" or the default as hint.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { EnergyConfigSchema } from '../energy/config.ts';
import { scrapeJobs } from '../../scrape-configs/index.ts';
import { defaultConfig } from './mixin.ts';
import type { MixinConfig } from './mixin.ts';
import { ReceiversSchema, SECRET_FIELDS } from './receivers.ts';
import { AutoscaledDeploymentsSchema } from './autoscaling.ts';
import { editDistance } from './edit-distance.ts';

export class BuildConfigError extends Error {
  constructor(readonly problems: string[], file: string) {
    super(`${file}: ${problems.length} problem(s) in the build config:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Prometheus durations: 90s, 5m, 1h30m, 1d (units y w d h m s ms, largest first). */
const DURATION_RE = /^(?:\d+y)?(?:\d+w)?(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?(?:\d+ms)?$/;
const Duration = z.string().refine((s) => s !== '' && DURATION_RE.test(s), { message: 'must be a Prometheus duration such as 30s, 5m, 1h or 1h30m' });
const Url = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });
const Fraction = z.number().gt(0).lt(1);

const TargetGroup = z.object({ targets: z.array(z.string().min(1)).min(1), labels: z.record(z.string(), z.string()).optional() }).strict();
const JobOverride = z.object({
  name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_-]*$/, 'a Prometheus job name'),
  matchLabels: z.record(z.string(), z.string()),
  port: z.string().min(1),
  namespaces: z.array(z.string().min(1)),
}).partial().strict();

/** Fields whose type the default cannot tell (empty maps, URLs, fractions). */
const OVERRIDES: Record<string, z.ZodType> = {
  'grafana.prometheusUrl': Url,
  runbookBaseUrl: Url,
  'prometheus.staticTargets': z.record(z.string(), z.array(z.union([z.string().min(1), TargetGroup]))),
  'alerting.gpu.fatalXids': z.array(z.number().int().positive()),
  'alerting.slo.ttft.objective': Fraction,
  'alerting.slo.errors.objective': Fraction,
  jobs: z.record(z.string(), JobOverride),
  'exporter.energy': EnergyConfigSchema,
  'autoscaling.deployments': AutoscaledDeploymentsSchema,
  'autoscaling.prometheusUrl': Url,
  'exporter.nodeSelector': z.record(z.string(), z.string()),
};

/** Optional fields that have no default to derive them from. */
const EXTRAS: Record<string, Record<string, z.ZodType>> = {
  alertmanager: { chatWebhookUrl: Url, webhookUrl: Url, watchdogUrl: Url, receivers: ReceiversSchema },
};

function derive(value: unknown, path: string): z.ZodType {
  const o = OVERRIDES[path];
  if (o) return o;
  if (typeof value === 'string') return DURATION_RE.test(value) && value !== '' ? Duration : z.string();
  if (typeof value === 'number') return z.number().finite();
  if (typeof value === 'boolean') return z.boolean();
  if (Array.isArray(value)) return z.array(value.length > 0 ? derive(value[0], `${path}[]`) : z.unknown());
  if (value !== null && typeof value === 'object') {
    const shape: Record<string, z.ZodType> = {};
    for (const [k, v] of Object.entries(value)) shape[k] = derive(v, path ? `${path}.${k}` : k).optional();
    for (const [k, s] of Object.entries(EXTRAS[path] ?? {})) shape[k] = s.optional();
    return z.object(shape).strict();
  }
  return z.unknown();
}

export const BuildConfigSchema = derive(defaultConfig, '');

/** Keys an object schema accepts at `path` (through optional, array and record), for "did you mean". */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let s: any = schema;
  const unwrap = () => {
    while (s?._zod?.def && ['optional', 'default', 'nullable', 'pipe'].includes(s._zod.def.type)) s = s._zod.def.innerType ?? s._zod.def.in;
  };
  unwrap();
  for (const p of path) {
    const def = s?._zod?.def;
    if (!def) return [];
    if (def.type === 'object') s = def.shape[p as string];
    else if (def.type === 'array') s = def.element;
    else if (def.type === 'record') s = def.valueType;
    else return [];
    unwrap();
  }
  return s?._zod?.def?.type === 'object' ? Object.keys(s._zod.def.shape) : [];
}

/** "did you mean 'x'?" for the nearest known key, else the list of known keys. */
export function suggest(key: string, known: readonly string[]): string {
  if (known.length === 0) return '';
  const best = [...known].sort((a, b) => editDistance(key, a) - editDistance(key, b) || (a < b ? -1 : 1))[0]!;
  if (editDistance(key, best) <= Math.max(2, Math.floor(best.length / 3))) return ` (did you mean '${best}'?)`;
  return ` (known fields: ${known.join(', ')})`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out || '(config)';
}

function defaultAt(path: readonly PropertyKey[]): unknown {
  let v: unknown = defaultConfig;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** Problems of a parsed document, each naming its field with a hint; empty when it is valid. */
export function checkBuildConfig(doc: unknown): string[] {
  const r = BuildConfigSchema.safeParse(doc ?? {});
  const problems: string[] = [];
  if (!r.success) {
    for (const i of r.error.issues) {
      if (i.code === 'unrecognized_keys') {
        const known = keysAt(BuildConfigSchema, i.path);
        for (const k of i.keys) {
          const secret = i.path[0] === 'alertmanager' ? SECRET_FIELDS[k] : undefined;
          if (secret && known.includes(secret)) problems.push(`${formatPath([...i.path, k])}: secrets are not written into alertmanager.yml; put it in a file Alertmanager can read and give ${secret}`);
          else problems.push(`${formatPath([...i.path, k])}: unknown field${suggest(k, known)}`);
        }
        continue;
      }
      const d = defaultAt(i.path);
      const hint = i.code === 'invalid_type' && d !== undefined && (typeof d !== 'object' || Array.isArray(d)) ? ` (the default is ${JSON.stringify(d)})` : '';
      problems.push(`${formatPath(i.path)}: ${i.message}${hint}`);
    }
  }
  // Jobs are keyed by scrape-configs/ job names: a typo there would silently do nothing.
  const jobs = (doc as { jobs?: unknown } | null)?.jobs;
  if (jobs && typeof jobs === 'object' && !Array.isArray(jobs)) {
    const known = scrapeJobs.map((j) => j.job);
    for (const k of Object.keys(jobs)) if (!known.includes(k)) problems.push(`jobs.${k}: no such scrape job${suggest(k, known)}`);
  }
  return problems;
}

const isPlain = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Maps whose entries are the user's own: given, they replace the default map whole. */
const REPLACE = new Set(['exporter.nodeSelector', 'prometheus.staticTargets', 'exporter.energy.gpuPrices', 'exporter.energy.idlePowerWatts', 'alertmanager.receivers']);

export function deepMerge<T>(base: T, over: unknown, path = ''): T {
  if (!isPlain(base) || !isPlain(over) || REPLACE.has(path)) return (over === undefined ? base : over) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    out[k] = deepMerge(out[k], v, path ? `${path}.${k}` : k);
  }
  return out as T;
}

/**
 * defaultConfig with `doc` laid over it. A job renamed under `jobs` carries its selector along
 * (`job="<new name>"`) unless the document sets that selector itself. Throws BuildConfigError.
 */
export function resolveBuildConfig(doc: unknown, file = 'build config'): MixinConfig {
  if (doc !== null && doc !== undefined && !isPlain(doc)) throw new BuildConfigError(['(config): must be a mapping of fields such as alerting:, grafana:, prometheus:'], file);
  const problems = checkBuildConfig(doc);
  if (problems.length > 0) throw new BuildConfigError(problems, file);
  const given = (doc ?? {}) as Record<string, unknown>;
  const config = deepMerge(defaultConfig, given);
  const ownSelectors = isPlain(given.selectors) ? given.selectors : {};
  const selectors: Record<string, string> = { ...config.selectors };
  for (const [job, o] of Object.entries(config.jobs)) {
    if (!o.name) continue;
    for (const [key, sel] of Object.entries(defaultConfig.selectors)) {
      if (sel === `job="${job}"` && ownSelectors[key] === undefined) selectors[key] = `job="${o.name}"`;
    }
  }
  return { ...config, selectors: selectors as MixinConfig['selectors'] };
}

/** Read and resolve a YAML build config file. */
export function loadBuildConfig(file: string): MixinConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new BuildConfigError([`cannot read the file: ${(err as Error).message}`], file);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new BuildConfigError([`not valid YAML: ${(err as Error).message}`], file);
  }
  return resolveBuildConfig(doc, file);
}
