// Every dashboard `tokenwatt build` emits, in the order of the dashboards dropdown.
// One file per dashboard in this folder; each default-exports (config) => Dashboard.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { MixinConfig } from '../src/config/mixin.ts';
import costCarbon from './cost-carbon.ts';
import energyEfficiency from './energy-efficiency.ts';
import exporter from './exporter.ts';
import fleetOverview from './fleet-overview.ts';
import gpuHealth from './gpu-health.ts';
import gpus from './gpus.ts';
import llmServing from './llm-serving.ts';
import otherEngines from './other-engines.ts';
import vllmEngine from './vllm-engine.ts';

export type DashboardFn = (config: MixinConfig) => Dashboard;

export const dashboards: readonly DashboardFn[] = [fleetOverview, llmServing, vllmEngine, otherEngines, gpus, gpuHealth, energyEfficiency, costCarbon, exporter];
