// `tokenwatt exporter --config tokenwatt.yaml`: the file's shape, checked by zod before anything starts.
// A bad file yields ONE ConfigError listing every bad field by path (`targets[1].url: ...`), so the
// operator fixes them all in one go; the command prints it and exits 2 with no port opened.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { DEFAULT_MAX_LABEL_LENGTH, DEFAULT_MAX_LABELS_PER_SERIES } from '../collectors/http-target.ts';
import { redactUrl } from '../collectors/redact.ts';
import { parseDurationMs } from '../config/duration.ts';
import { EnergyConfigSchema } from '../energy/config.ts';
import { StaticPlacementSchema } from '../energy/placement.ts';
import type { AuthConfig, UpstreamTls } from '../collectors/http-auth.ts';
import { findKind, TARGET_KIND_IDS } from '../kinds/index.ts';
import type { TargetKindId } from '../kinds/index.ts';
import { editDistance } from '../config/edit-distance.ts';

export class ConfigError extends Error {}

/** Targets in flight at once: enough to overlap network waits, few enough that bodies never pile up. */
export const DEFAULT_MAX_CONCURRENT_SCRAPES = 8;
export const DEFAULT_MAX_CONNECTIONS = 512;
export const DEFAULT_HEADER_TIMEOUT_MS = 10_000;
const DEFAULT_LIMITS = {
  maxBodyBytes: 32 * 1024 * 1024, maxSeriesPerTarget: 200_000,
  maxLabelsPerSeries: DEFAULT_MAX_LABELS_PER_SERIES, maxLabelLength: DEFAULT_MAX_LABEL_LENGTH,
  maxConcurrentScrapes: DEFAULT_MAX_CONCURRENT_SCRAPES,
  maxConnections: DEFAULT_MAX_CONNECTIONS, headerTimeout: DEFAULT_HEADER_TIMEOUT_MS,
};

/** A duration: seconds as a number, or a string such as `500ms`, `5s`, `2m`. Output: milliseconds. */
const Duration = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const ms = typeof v === 'number' ? v * 1000 : parseDurationMs(v);
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `must be a positive duration such as 5s, 500ms, 2m or a number of seconds, got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return ms;
});

/**
 * A collection interval: 1 s to 1 h. Shorter hammers the upstreams (0.0001 s made ~200 requests a
 * second to each); longer is no longer monitoring (and past 24.8 days setTimeout overflows into a 1 ms loop).
 */
export const MIN_INTERVAL_MS = 1000;
export const MAX_INTERVAL_MS = 3_600_000;
const Interval = Duration.refine((ms) => ms >= MIN_INTERVAL_MS && ms <= MAX_INTERVAL_MS, {
  message: 'must be between 1s and 1h (an exporter interval is usually 5s to 60s)',
});

/** Credentials: a bearer token or HTTP basic auth (never both). */
const Auth = z
  .object({
    bearerToken: z.string().min(1).optional(),
    basic: z.object({ username: z.string().min(1), password: z.string() }).strict().optional(),
  })
  .strict()
  .refine((a) => (a.bearerToken === undefined) !== (a.basic === undefined), { message: 'give exactly one of bearerToken or basic' });

// The collectors' own types (src/collectors/http-auth.ts); the schema must produce exactly them.
export type { AuthConfig, UpstreamTls };
const _authMatches: (a: z.output<typeof Auth>) => AuthConfig = (a) => a;
void _authMatches;

const HttpUrl = z.string().refine((u) => {
  try {
    const p = new URL(u).protocol;
    return p === 'http:' || p === 'https:';
  } catch {
    return false;
  }
}, { message: 'must be an http:// or https:// URL' });

/** The kinds of the registry the exporter reads (src/kinds/index.ts). */
export const TARGET_KINDS = TARGET_KIND_IDS;
export type TargetKind = TargetKindId;

const Target = z
  .object({
    kind: z.enum(TARGET_KINDS),
    url: HttpUrl,
    /** The `target` label and /api/targets name; default: the URL. */
    name: z.string().min(1).optional(),
    timeout: Duration.optional(),
    interval: Interval.optional(),
    auth: Auth.optional(),
    /** https targets: a private CA to trust, or (for tests only) no verification at all. */
    tls: z.object({ caFile: z.string().min(1).optional(), insecureSkipVerify: z.boolean().optional() }).strict().optional(),
    /** Serving engines whose metrics name no model (TGI, llama.cpp): the model it serves, for the ledger's model_name. */
    model: z.string().min(1).optional(),
    /** Serving engines on Kubernetes: the serving pod, placed on a GPU through dcgm-exporter's pod mapping. */
    namespace: z.string().min(1).optional(),
    pod: z.string().min(1).optional(),
    /**
     * Servers that name their GPUs by UUID only (Triton): which GPU index on this host (`host`) each UUID
     * is, as `nvidia-smi -L` lists them. Needed only where neither NVML nor dcgm-exporter reports the GPU
     * (they name both index and UUID); a UUID listed nowhere is reported unmatched and counts no energy.
     */
    gpus: z.record(z.string().regex(/^\d+$/, 'a GPU index'), z.string().min(1)).optional(),
  })
  .strict();

/** `auto`, `off` or `replay:<trace.csv>` (a path relative to the config file). */
const Nvml = z.string().transform((v, ctx) => {
  if (v === 'auto' || v === 'off') return v;
  if (v.startsWith('replay:') && v.length > 'replay:'.length) return { replay: v.slice('replay:'.length) };
  ctx.addIssue({ code: 'custom', message: `must be auto, off or replay:<trace.csv>, got ${JSON.stringify(v)}` });
  return z.NEVER;
});

const Tls = z.object({ certFile: z.string().min(1), keyFile: z.string().min(1) }).strict();

const Listen = z.string().refine((s) => parseListen(s) !== undefined, { message: 'must be host:port with a port 0-65535, e.g. 0.0.0.0:9464' });

function parseListen(s: string): { host: string; port: number } | undefined {
  const m = /^(.*):(\d{1,5})$/.exec(s);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port > 65535) return undefined;
  const host = m[1]!.replace(/^\[(.*)\]$/, '$1');
  return { host: host === '' ? '0.0.0.0' : host, port };
}

export const ExporterConfigSchema = z
  .object({
    /** 9464: the port scrape-configs/tokenwatt.ts points Prometheus at. */
    listen: Listen.default('0.0.0.0:9464'),
    /** The `host` label of this machine's NVML GPUs (default: $NODE_NAME, which the Kubernetes DaemonSet sets to its node, else the hostname). */
    host: z.string().min(1).default(() => process.env.NODE_NAME || hostname()),
    /** One collection cycle: every due target is read, the ledger is fed, /metrics is rendered at most once (when scraped). */
    interval: Interval.default(5000),
    logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    auth: Auth.optional(),
    tls: Tls.optional(),
    nvml: Nvml.default('auto'),
    /**
     * With `nvml: replay:<trace>`: the identity of each GPU index, which a trace does not record
     * (model name, UUID, power limit); the NVML collector has defaults for the rest.
     */
    nvmlReplayGpus: z
      .record(z.string().regex(/^\d+$/, 'a GPU index'), z.object({ name: z.string().min(1).optional(), uuid: z.string().min(1).optional(), powerLimitWatts: z.number().finite().positive().optional() }).strict())
      .optional(),
    limits: z
      .object({
        /** 32 MiB: a dense node's dcgm-exporter or Kepler scrape is a few MiB. */
        maxBodyBytes: z.number().int().positive().default(32 * 1024 * 1024),
        /** Samples kept per scrape; a target past it is refused (too_many_series), not truncated. */
        maxSeriesPerTarget: z.number().int().positive().default(200_000),
        /** Labels in one series (dcgm-exporter with Kubernetes labels has ~15); past it: too_many_labels. */
        maxLabelsPerSeries: z.number().int().positive().default(DEFAULT_MAX_LABELS_PER_SERIES),
        /** Longest label name or value in characters; past it: label_too_long. */
        maxLabelLength: z.number().int().positive().default(DEFAULT_MAX_LABEL_LENGTH),
        /**
         * Targets read (fetched, parsed, recognised) at once. Each holds its body and parsed samples only
         * while in flight, so this bounds the exporter's memory (docs/exporter-memory.md); a target
         * waiting for a slot has not started its timeout.
         */
        maxConcurrentScrapes: z.number().int().positive().default(DEFAULT_MAX_CONCURRENT_SCRAPES),
        /**
         * Connections the server holds at once (scrapers, probes); past it new ones are closed at once.
         * Without a cap ~20k slow-header sockets ran the process out of file descriptors.
         */
        maxConnections: z.number().int().positive().default(DEFAULT_MAX_CONNECTIONS),
        /** A client must send its request headers within this (slow-header sockets are closed). */
        headerTimeout: Duration.default(DEFAULT_HEADER_TIMEOUT_MS),
      })
      .strict()
      .default(DEFAULT_LIMITS),
    targets: z.array(Target).default([]),
    energy: EnergyConfigSchema.default(() => EnergyConfigSchema.parse({})),
    /**
     * Where the energy ledger keeps its state (last counter readings, totals), written atomically every
     * cycle and read at start, so a restart's downtime is attributed when the exporter returns
     * (docs/methodology.md §9). Absent: a restart starts the ledger clean.
     */
    stateFile: z.string().min(1).optional(),
    placement: z.array(StaticPlacementSchema).default([]),
    /**
     * Find targets through the Kubernetes API instead of listing them (src/exporter/discovery.ts): the
     * serving pods on this node labelled `engineLabel` (value: the kind) on their port `enginePort`, and
     * the dcgm-exporter pod on this node; engines are placed through dcgm-exporter's pod mapping.
     */
    discovery: z
      .object({
        kubernetes: z
          .object({
            /** This node (default: $NODE_NAME, which the DaemonSet sets from spec.nodeName). */
            node: z.string().min(1).optional(),
            engineLabel: z.string().min(1).default('tokenwatt.io/engine'),
            enginePort: z.string().min(1).default('http'),
            /** Label selector of dcgm-exporter's pods, and the name of their metrics port. */
            dcgmSelector: z.string().min(1).default('app.kubernetes.io/name=dcgm-exporter'),
            dcgmPort: z.string().min(1).default('metrics'),
            /** A full relist this often, besides the watch (a missed event cannot outlive it). */
            resync: Duration.default(300_000),
            /** Out of cluster only (default: the in-cluster service account): the API server URL and a bearer token file. */
            apiServer: HttpUrl.optional(),
            tokenFile: z.string().min(1).optional(),
          })
          .strict(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type RawExporterConfig = z.output<typeof ExporterConfigSchema>;

export interface TargetConfig {
  kind: TargetKind;
  name: string;
  url: string;
  timeoutMs: number;
  intervalMs: number;
  auth?: AuthConfig;
  tls?: UpstreamTls;
  model?: string;
  namespace?: string;
  pod?: string;
  gpus?: Record<string, string>;
}

export interface ExporterConfig extends Omit<RawExporterConfig, 'targets' | 'listen' | 'interval' | 'nvml'> {
  listen: { host: string; port: number };
  intervalMs: number;
  nvml: 'auto' | 'off' | { replay: string };
  targets: TargetConfig[];
}

/** `targets[1].url` from zod's path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out || '(config)';
}

/**
 * Validate a parsed YAML document. `baseDir` resolves relative file paths (TLS, NVML replay) the way
 * an operator reads them: relative to the config file. Throws ConfigError naming every bad field:
 * the checks across fields run on every part that parsed, even when others did not, so one run
 * reports everything.
 */
export function parseExporterConfig(doc: unknown, baseDir = process.cwd()): ExporterConfig {
  const r = ExporterConfigSchema.safeParse(doc ?? {});
  const problems: string[] = [];
  if (!r.success) {
    for (const i of r.error.issues) {
      if (i.code === 'unrecognized_keys') {
        for (const k of i.keys) {
          const near = closest(k, knownKeys(i.path));
          problems.push(`${formatPath([...i.path, k])}: unknown field${near ? ` (did you mean '${near}'?)` : ''}`);
        }
      } else {
        problems.push(`${formatPath(i.path)}: ${i.message}${hint(i, valueAt(doc, i.path))}`);
      }
    }
  }
  const obj: Record<string, unknown> = doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>) : {};
  const interval = Interval.safeParse(obj.interval ?? 5); // seconds, as a user would write it
  const cycle = interval.success ? interval.data : undefined;
  const targetItems = Array.isArray(obj.targets) ? obj.targets.map((t) => Target.safeParse(t)) : [];
  const placementItems = Array.isArray(obj.placement) ? obj.placement.map((p) => StaticPlacementSchema.safeParse(p)) : [];

  const names = new Map<string, number>();
  const targets: TargetConfig[] = [];
  targetItems.forEach((parsed, i) => {
    if (!parsed.success) return;
    const t = parsed.data;
    // Default name: the URL with any credentials in it redacted (the name is a label, a log field and an API field).
    const name = t.name ?? redactUrl(t.url);
    const seen = names.get(name);
    if (seen !== undefined) problems.push(`targets[${i}].name: '${name}' is also targets[${seen}]'s name (names must be unique; give each a name)`);
    names.set(name, i);
    if ((t.namespace === undefined) !== (t.pod === undefined)) problems.push(`targets[${i}]: namespace and pod go together`);
    if (t.model !== undefined && !findKind(t.kind)?.target?.placed) problems.push(`targets[${i}].model: applies only to serving targets (${TARGET_KIND_IDS.filter((k) => findKind(k)?.target?.placed).join(', ')})`);
    if ((t.namespace !== undefined || t.pod !== undefined) && !findKind(t.kind)?.target?.placed) {
      problems.push(`targets[${i}]: namespace/pod apply only to serving targets (${TARGET_KIND_IDS.filter((k) => findKind(k)?.target?.placed).join(', ')})`);
    }
    if (t.gpus !== undefined) {
      const byUuid = TARGET_KIND_IDS.filter((k) => findKind(k)?.serving?.gpuEnergy !== undefined);
      if (!byUuid.includes(t.kind)) problems.push(`targets[${i}].gpus: applies only to targets that name GPUs by UUID (${byUuid.join(', ')}); other sources report the index themselves`);
      const seenUuid = new Map<string, string>();
      for (const [index, uuid] of Object.entries(t.gpus)) {
        const other = seenUuid.get(uuid);
        if (other !== undefined) problems.push(`targets[${i}].gpus.${index}: UUID '${uuid}' is also GPU ${other}'s (one GPU, one index)`);
        seenUuid.set(uuid, index);
      }
    }
    if (cycle === undefined) return;
    const intervalMs = t.interval ?? Math.max(cycle, findKind(t.kind)?.target?.defaultIntervalMs ?? cycle);
    if (intervalMs < cycle) problems.push(`targets[${i}].interval: ${intervalMs} ms is shorter than the collection interval ${cycle} ms`);
    // A target's read must end within one cycle, so a slow target never delays the next cycle.
    const timeoutMs = t.timeout ?? Math.min(10_000, cycle * 0.8);
    if (timeoutMs > cycle) problems.push(`targets[${i}].timeout: ${timeoutMs} ms is longer than the collection interval ${cycle} ms`);
    let tls: UpstreamTls | undefined;
    if (t.tls) {
      if (!t.url.toLowerCase().startsWith('https:')) problems.push(`targets[${i}].tls: applies only to https:// URLs`);
      tls = { ...(t.tls.insecureSkipVerify !== undefined && { insecureSkipVerify: t.tls.insecureSkipVerify }) };
      if (t.tls.caFile !== undefined) {
        const file = resolve(baseDir, t.tls.caFile);
        try {
          tls.ca = readFileSync(file);
        } catch (err) {
          problems.push(`targets[${i}].tls.caFile: cannot read ${file}: ${(err as Error).message}`);
        }
      }
    }
    targets.push({
      kind: t.kind, name, url: t.url, timeoutMs, intervalMs,
      ...(t.auth && { auth: t.auth }),
      ...(tls && { tls }),
      ...(t.model !== undefined && { model: t.model }),
      ...(t.namespace !== undefined && { namespace: t.namespace }),
      ...(t.pod !== undefined && { pod: t.pod }),
      ...(t.gpus !== undefined && { gpus: t.gpus }),
    });
  });
  // The static table must name one engine per entry: two entries for one model and no URL would make
  // placement ambiguous at run time, so refuse it here.
  const byModel = new Map<string, number>();
  placementItems.forEach((parsed, i) => {
    if (!parsed.success) return;
    const p = parsed.data;
    if (p.url !== undefined || p.model === undefined) return;
    const seen = byModel.get(p.model);
    if (seen !== undefined) problems.push(`placement[${i}].model: '${p.model}' is also placement[${seen}]'s model without a url (give each entry its url)`);
    byModel.set(p.model, i);
  });
  const nvmlParsed = Nvml.safeParse(obj.nvml ?? 'auto');
  let nvml: ExporterConfig['nvml'] = nvmlParsed.success ? nvmlParsed.data : 'off';
  if (typeof nvml === 'object') {
    const file = resolve(baseDir, nvml.replay);
    if (!existsSync(file)) problems.push(`nvml: replay trace ${file} does not exist`);
    nvml = { replay: file };
  }
  if (obj.nvmlReplayGpus !== undefined && typeof nvml !== 'object') problems.push('nvmlReplayGpus: applies only with nvml: replay:<trace.csv>');
  const tlsParsed = Tls.optional().safeParse(obj.tls);
  let tls = tlsParsed.success ? tlsParsed.data : undefined;
  if (tls) {
    tls = { certFile: resolve(baseDir, tls.certFile), keyFile: resolve(baseDir, tls.keyFile) };
    problems.push(...checkServerTls(tls.certFile, tls.keyFile));
  }
  if (!r.success || problems.length > 0) throw new ConfigError(summary(problems));
  const { targets: _t, listen, interval: _i, nvml: _n, tls: _tls, ...rest } = r.data;
  if (rest.stateFile !== undefined) rest.stateFile = resolve(baseDir, rest.stateFile);
  return { ...rest, ...(tls && { tls }), listen: parseListen(listen)!, intervalMs: r.data.interval, nvml, targets };
}

/**
 * The server's certificate and key, checked as the server will load them, so a mistake (a directory,
 * garbage, the two files swapped, a key of another certificate) is a config error naming the field
 * (exit 2) rather than OpenSSL's text from https.createServer.
 */
function checkServerTls(certFile: string, keyFile: string): string[] {
  const read = (field: string, file: string): Buffer | string => {
    try {
      return readFileSync(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return `${field}: ${file} ${code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory, not a PEM file' : `cannot be read: ${(err as Error).message}`}`;
    }
  };
  const cert = read('tls.certFile', certFile);
  const key = read('tls.keyFile', keyFile);
  const problems = [cert, key].filter((x): x is string => typeof x === 'string');
  if (problems.length > 0) return problems;
  const certPem = cert as Buffer;
  const keyPem = key as Buffer;
  const looksLikeKey = (b: Buffer) => /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(b.toString('latin1'));
  const swapped = looksLikeKey(certPem) && !looksLikeKey(keyPem) ? ' (it holds a private key: are certFile and keyFile swapped?)' : '';
  try {
    new X509Certificate(certPem);
  } catch {
    problems.push(`tls.certFile: ${certFile} is not a PEM certificate${swapped}`);
  }
  try {
    createPrivateKey(keyPem);
  } catch {
    problems.push(`tls.keyFile: ${keyFile} is not a PEM private key${swapped === '' ? '' : ' (it holds a certificate: are certFile and keyFile swapped?)'}`);
  }
  if (problems.length > 0) return problems;
  try {
    createSecureContext({ cert: certPem, key: keyPem });
  } catch (err) {
    return [`tls.keyFile: ${keyFile} does not match the certificate in tls.certFile (${(err as Error).message})`];
  }
  return [];
}

/** The value a YAML document holds at a zod path. */
function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = doc;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

/** What to write instead, for the mistakes YAML makes easy: an unquoted number where text belongs. */
function hint(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code !== 'invalid_type' && issue.code !== 'invalid_union') return '';
  const key = issue.path[issue.path.length - 1];
  if (key === 'listen' && typeof value === 'number') return ` (listen is host:port, e.g. listen: "0.0.0.0:${value}")`;
  if (typeof value === 'number' && (issue.code === 'invalid_union' || issue.expected === 'string') && typeof key === 'string') {
    return ` (YAML read ${value} as a number: quote it, ${key}: "${value}")`;
  }
  return '';
}

/** Field names valid where an unknown one was found (for "did you mean"). */
function knownKeys(path: readonly PropertyKey[]): string[] {
  const top = Object.keys(ExporterConfigSchema.shape);
  const at = path.filter((p) => typeof p === 'string');
  switch (at[0]) {
    case undefined: return top;
    case 'targets': return at[1] === 'tls' ? ['caFile', 'insecureSkipVerify'] : at[1] === 'auth' ? ['bearerToken', 'basic'] : Object.keys(Target.shape);
    case 'limits': return Object.keys(DEFAULT_LIMITS);
    case 'tls': return ['certFile', 'keyFile'];
    case 'auth': return at[1] === 'basic' ? ['username', 'password'] : ['bearerToken', 'basic'];
    case 'nvmlReplayGpus': return ['name', 'uuid', 'powerLimitWatts'];
    case 'placement': return ['url', 'model', 'host', 'gpu', 'gpuInstanceId', 'namespace', 'pod'];
    default: return [];
  }
}

/** The candidate within edit distance 2 (or differing only in case), if any. */
function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestD) { bestD = d; best = c; }
  }
  return best;
}

function summary(problems: string[]): string {
  return `invalid config (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  ${p}`).join('\n')}`;
}

/** Read and validate a YAML config file. Throws ConfigError (unreadable file, bad YAML, bad fields). */
export function loadExporterConfig(file: string): ExporterConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config ${file}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    throw new ConfigError(`config ${file} is not valid YAML: ${(err as Error).message}`);
  }
  if (doc !== null && doc !== undefined && (typeof doc !== 'object' || Array.isArray(doc))) {
    throw new ConfigError(`config ${file}: the top level must be a mapping of fields`);
  }
  return parseExporterConfig(doc, dirname(resolve(file)));
}
