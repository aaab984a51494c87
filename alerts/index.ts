// Every alert rule group, one file each; the build writes prometheus/rules/<group>.yaml per entry.
import type { AlertGroupDef } from '../src/rules/types.ts';
import energyCost from './energy-cost.ts';
import gpuHealth from './gpu-health.ts';
import llmServing from './llm-serving.ts';
import tokenwatt from './tokenwatt.ts';
import watchdog from './watchdog.ts';

export const alertGroups: AlertGroupDef[] = [gpuHealth, llmServing, energyCost, tokenwatt, watchdog];
