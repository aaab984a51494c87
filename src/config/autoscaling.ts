// Autoscaling of the serving Deployments (dist/kubernetes/autoscaling/): one KEDA ScaledObject and
// one prometheus-adapter rule set + autoscaling/v2 HPA per entry of `deployments`. Everything here can
// be set from the build config file (`autoscaling:` in tokenwatt build --config); the numbers below
// are defaults, reasoned in docs/autoscaling.md.
import { z } from 'zod';
import { ENGINE_SIGNALS } from '../autoscaling/signals.ts';

export interface AutoscaledDeployment {
  /** The Deployment serving the model (scaleTargetRef.name). */
  name: string;
  namespace: string;
  /** Engine kind: a key of ENGINE_SIGNALS (vllm, sglang, ...). */
  engine: string;
  /** The model_name label its engines report. */
  model: string;
  /**
   * Generated tokens/s one replica sustains while meeting the TTFT SLO, measured (a load test, or
   * `tokenwatt simulate` calibrated to the GPU): the token-headroom trigger's unit of capacity.
   */
  tokensPerSecondPerReplica: number;
  /** Per-deployment replica bounds (default: autoscaling.minReplicas / maxReplicas). */
  minReplicas?: number;
  maxReplicas?: number;
}

export interface AutoscalingConfig {
  /** Prometheus (or VictoriaMetrics vmselect .../prometheus) URL KEDA and prometheus-adapter query. */
  prometheusUrl: string;
  /** KEDA pollingInterval, seconds: how often the triggers are read while at zero (above, the HPA's 15 s). */
  pollingIntervalSeconds: number;
  /** Idle time before scale to zero: KEDA cooldownPeriod, seconds after the last active trigger. */
  idleSecondsBeforeZero: number;
  /** Seconds after a ScaledObject is created before it may scale to zero (a model loads slowly). */
  initialCooldownSeconds: number;
  /** KEDA minReplicaCount (0 = scale to zero when idle). The HPA path cannot go below 1. */
  minReplicas: number;
  maxReplicas: number;
  /** Min replicas of the HPA path (autoscaling/v2 needs >= 1 without the HPAScaleToZero gate). */
  hpaMinReplicas: number;
  /** HPA behavior: scale-up window (0 = act at once) and step (pods per period). */
  scaleUpStabilizationSeconds: number;
  scaleUpPods: number;
  scaleUpPeriodSeconds: number;
  /** HPA behavior: scale-down keeps the highest recommendation of this window; then steps of pods per period. */
  scaleDownStabilizationSeconds: number;
  scaleDownPods: number;
  scaleDownPeriodSeconds: number;
  /** Targets per replica (AverageValue) or per fleet (Value), and activation thresholds (strictly above = active). */
  targets: {
    /** Waiting requests per replica (AverageValue). */
    waitingPerReplica: number;
    /** Mean KV-cache usage across replicas, 0-1 (Value: replicas grow by usage / target). */
    kvCacheUsage: number;
    /** Fraction of tokensPerSecondPerReplica to run at (AverageValue threshold = capacity x this). */
    tokenUtilisation: number;
    /** TTFT p95 in seconds (Value). */
    ttftP95Seconds: number;
  };
  activation: {
    /** Active while more requests than this wait (0: any). */
    waiting: number;
    /** Active while more tokens/s than this are generated. */
    tokensPerSecond: number;
  };
  deployments: AutoscaledDeployment[];
}

export const defaultAutoscalingConfig: AutoscalingConfig = {
  prometheusUrl: 'http://kube-prometheus-stack-prometheus.monitoring.svc:9090',
  pollingIntervalSeconds: 15,
  idleSecondsBeforeZero: 600,
  initialCooldownSeconds: 300,
  minReplicas: 0,
  maxReplicas: 8,
  hpaMinReplicas: 1,
  scaleUpStabilizationSeconds: 0,
  scaleUpPods: 4,
  scaleUpPeriodSeconds: 60,
  scaleDownStabilizationSeconds: 300,
  scaleDownPods: 1,
  scaleDownPeriodSeconds: 60,
  targets: { waitingPerReplica: 5, kvCacheUsage: 0.8, tokenUtilisation: 0.8, ttftP95Seconds: 1 },
  activation: { waiting: 0, tokensPerSecond: 0 },
  // Examples to replace in your build config: one vLLM and one SGLang Deployment. 700 tokens/s is the
  // simulator's 8B model on an H100 at batch 64 (src/simulate/workload.ts calibration); measure yours.
  deployments: [
    { name: 'vllm-llama-3-1-8b', namespace: 'llm', engine: 'vllm', model: 'meta-llama/Llama-3.1-8B-Instruct', tokensPerSecondPerReplica: 700 },
    { name: 'sglang-qwen2-5-7b', namespace: 'llm', engine: 'sglang', model: 'Qwen/Qwen2.5-7B-Instruct', tokensPerSecondPerReplica: 800 },
  ],
};

const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Schema of one `autoscaling.deployments` entry in the build config (src/config/build-config.ts). */
export const AutoscaledDeploymentSchema = z.object({
  name: z.string().regex(DNS1123, 'a Kubernetes name: lower-case letters, digits and -').max(63),
  namespace: z.string().regex(DNS1123, 'a Kubernetes namespace').max(63),
  engine: z.string().refine((e) => e in ENGINE_SIGNALS, { message: `an engine kind with autoscaling signals: ${Object.keys(ENGINE_SIGNALS).join(', ')}` }),
  model: z.string().min(1),
  tokensPerSecondPerReplica: z.number().finite().positive(),
  minReplicas: z.number().int().nonnegative().optional(),
  maxReplicas: z.number().int().positive().optional(),
}).strict();

export const AutoscaledDeploymentsSchema = z.array(AutoscaledDeploymentSchema);
