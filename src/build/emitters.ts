// The parts of `npm run build`, in the order they run. Each lives in its own folder under src/build/.
import type { Emitter } from './types.ts';
import { grafanaEmitters } from './grafana/index.ts';
import { prometheusEmitters } from './prometheus/index.ts';
import { alertmanagerEmitters } from './alertmanager/index.ts';
import { kubernetesEmitters } from './kubernetes/index.ts';
import { autoscalingEmitters } from './kubernetes/autoscaling.ts';

export const emitters: Emitter[] = [...grafanaEmitters, ...prometheusEmitters, ...alertmanagerEmitters, ...kubernetesEmitters, ...autoscalingEmitters];
