// What one upstream kind is (node_exporter's shape: one module per kind, registered in
// src/kinds/index.ts). Everything that used to be written out per kind in eight places is derived
// from these records: the catalog's `Source` type, the exporter's target kinds and its collector
// setup, `tokenwatt inspect --kind`, the selectors of src/config/mixin.ts, the scrape jobs and
// PodMonitors, and the simulated fleet's engines.
//
// Only types here: a kind module imports its own pieces (recogniser, collector, simulator), and the
// registry imports the kind modules, so nothing below src/kinds/ needs to know the list.
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type { MetricDef } from '../catalog/types.ts';
import type { MixinConfig } from '../config/mixin.ts';
import type { RecordingGroupDef } from '../rules/types.ts';
import type { Collector } from '../collectors/collector.ts';
import type { Limits } from '../collectors/http-target.ts';
import type { UpstreamTarget } from '../collectors/upstream.ts';
import type { Placement } from '../energy/placement.ts';
import type { MetricFamily } from '../exposition/types.ts';
import type { Log } from '../log.ts';
import type { DcgmView, ServingView } from '../recognise/types.ts';
import type { EngineSim, GpuSim } from '../simulate/workload.ts';
import type { ScrapeJob } from '../../scrape-configs/types.ts';

/** What the exporter hands every collector factory. */
export interface TargetDeps {
  limits: Limits;
  log: Log;
  /** Where a serving engine runs (static table, then the Kubernetes pod mapping); empty when unknown. */
  place(engine: { url: string; model: string; namespace?: string; pod?: string }): Placement[];
  /** A GPU exporter's latest view, whose Kubernetes pod mapping places serving pods. */
  onPodMapping(view: DcgmView): void;
  /** The `host` label of this machine's GPUs (the exporter's `host`): GPUs a target names by UUID only are on it. */
  host?: string;
}

/** A target as the exporter config gives it to a factory (namespace/pod only where `placed`). */
export interface KindTargetConfig extends UpstreamTarget {
  /** The served model, for engines whose metrics name none. */
  model?: string;
  namespace?: string;
  pod?: string;
  /** Kinds whose GPUs are named by UUID only (Triton): GPU index → UUID on this host, as `nvidia-smi -L` lists them. */
  gpus?: Record<string, string>;
}

/** The exporter reads targets of this kind (`targets[].kind` in tokenwatt.yaml). */
export interface KindTarget {
  /** Targets may name the Kubernetes namespace/pod of a serving engine (placed through the pod mapping). */
  placed: boolean;
  /**
   * How often a target of this kind is read when it sets no `interval` (never more often than the
   * collection cycle); default: every cycle. For kinds whose reading feeds nothing the cycle needs.
   */
  defaultIntervalMs?: number;
  create(target: KindTargetConfig, deps: TargetDeps): Collector;
}

/** `tokenwatt inspect --kind <id>`: the recogniser and the line of usage text saying what it prints. */
export interface KindInspect<V> {
  recognise(families: MetricFamily[]): V;
  /** The JSON shape printed, for the usage text (`{"engines":[{"model",...}]}`). */
  json: string;
}

/**
 * A serving engine: its token counters feed the energy ledger (tokens per joule, cost and carbon per
 * model), and the simulated fleet can run it.
 */
export interface KindServing {
  /**
   * Series names of the prompt and generation token counters fed to the ledger: catalog counters
   * (their older names are found by the catalog) or a token histogram's `_sum` (TGI has no counter).
   */
  promptTokens: string;
  generationTokens: string;
  /**
   * Whether the exposition names its model (vLLM's model_name). An engine that does not (TGI,
   * llama.cpp) gets it from the exporter target's `model` and from a `model_name` target label in
   * Prometheus (the static target group's labels, or the pod label `tokenwatt.io/model`).
   */
  namesModel: boolean;
  /**
   * Catalog name of a per-GPU cumulative energy counter (joules) the server reports by `gpu_uuid`
   * (Triton's nv_energy_consumption), read into ServingView.gpus: the lowest-priority energy source.
   */
  gpuEnergy?: string;
  /** Catalog name of its running-requests gauge: the serving dashboard's server and model pickers list servers by it. */
  running: string;
  /** The /metrics text of one simulated engine at its current state. */
  /** `gpus`: the simulated GPUs the engine runs on, for a server that reports its GPUs too (Triton). */
  simulate(engine: EngineSim, gpus?: readonly GpuSim[]): string;
  /**
   * A row of its own on the Other engines dashboard (dashboards/other-engines.ts). vLLM's detail has a
   * dashboard of its own; vLLM and SGLang also share LLM serving's engine-neutral rows.
   */
  panels?(ctx: KindPanelContext): KindPanel[];
  /**
   * Its recording rules (per-model rates, sums and bucket rates its panels read: the dashboards read no
   * raw engine series at fleet scale). Their catalog entries (source `recording`) are listed with its
   * metrics in src/catalog/index.ts.
   */
  recording?: RecordingGroupDef;
}

/** What a kind's dashboard panels are built with: its selector joined with the dashboard's variables. */
export interface KindPanelContext {
  config: MixinConfig;
  /** The kind's selector and the dashboard's variable filters, joined (raw series: drill-down only). */
  matchers: string;
  /** The dashboard's variable filters alone (cluster, namespace, model): for recorded per-model series. */
  scope: string;
}

/** A panel builder of the dashboard SDK (src/build/grafana/panels.ts makes them). */
export type KindPanel = cog.Builder<dashboard.Panel>;

export interface UpstreamKind<Id extends string = string> {
  /** The `source` of its catalog entries, its selector key, target kind and `inspect --kind` value. */
  readonly id: Id;
  /** As people write it: "vLLM", "dcgm-exporter". */
  readonly title: string;
  /** Its catalog entries (src/catalog/index.ts holds them; a test checks the two agree). */
  readonly metrics: readonly MetricDef[];
  /** Its Prometheus job and ServiceMonitor/PodMonitor; the default selector is `job="<job>"`. */
  readonly scrape: ScrapeJob;
  readonly inspect?: KindInspect<unknown>;
  readonly target?: KindTarget;
  readonly serving?: KindServing;
}

/** A kind the exporter reads and `inspect` recognises, printing a `V`. */
export interface ReadKind<Id extends string, V> extends UpstreamKind<Id> {
  readonly inspect: KindInspect<V>;
  readonly target: KindTarget;
}

/** A serving engine kind: read, recognised as engines with token counters, simulated. */
export interface ServingKind<Id extends string> extends ReadKind<Id, ServingView> {
  readonly serving: KindServing;
}
