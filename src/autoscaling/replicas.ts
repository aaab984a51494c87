// Desired replicas exactly as the HPA controller and KEDA compute them, so that a test can run the
// generated policy on the values a real Prometheus returns. Sources (read, commits in
// docs/autoscaling.md): kubernetes pkg/controller/podautoscaler/replica_calculator.go
// (GetExternalPerPodMetricReplicas, GetExternalMetricReplicas, getUsageRatioReplicaCount) and
// horizontal.go (stabilizeRecommendationWithBehaviors, convertDesiredReplicasWithBehaviorRate);
// KEDA pkg/scaling/executor/scale_scaledobjects.go (0 -> 1 on activity, N -> 0 after cooldownPeriod
// without activity) and pkg/scalers/prometheus_scaler.go (active = value > activationThreshold).

export interface Reading {
  metricType: 'AverageValue' | 'Value';
  /** The metric value: the sum of the external metric's series. */
  value: number;
  target: number;
}

export interface Behavior {
  scaleUp: { stabilizationWindowSeconds: number; pods: number; periodSeconds: number };
  scaleDown: { stabilizationWindowSeconds: number; pods: number; periodSeconds: number };
}

/** kube-controller-manager --horizontal-pod-autoscaler-tolerance (default 0.1). */
export const TOLERANCE = 0.1;

/** One External metric's proposal. `current` = spec replicas, `ready` = ready pods. */
export function proposal(r: Reading, current: number, ready: number, tolerance = TOLERANCE): number {
  if (r.metricType === 'AverageValue') {
    // GetExternalPerPodMetricReplicas: usage ratio against target per pod x current replicas.
    const ratio = r.value / (r.target * current);
    if (Math.abs(ratio - 1) <= tolerance) return current;
    return Math.ceil(r.value / r.target);
  }
  // GetExternalMetricReplicas -> getUsageRatioReplicaCount: ratio x ready pods.
  const ratio = r.value / r.target;
  if (current !== 0 && Math.abs(ratio - 1) <= tolerance) return current;
  return Math.ceil(ratio * ready);
}

interface Stamped { t: number; replicas: number }

/** One HorizontalPodAutoscaler with behavior; call sync() every sync period (15 s). */
export class Hpa {
  private recommendations: Stamped[] = [];
  /** Scale events (t, +added / -removed) for the rate policies. */
  private events: { t: number; delta: number }[] = [];

  constructor(readonly min: number, readonly max: number, readonly behavior: Behavior, readonly tolerance = TOLERANCE) {}

  /** The replicas to set now; `readings` one per metric, the largest proposal wins. */
  sync(t: number, current: number, ready: number, readings: readonly Reading[]): number {
    const proposed = Math.max(...readings.map((r) => proposal(r, current, ready, this.tolerance)));
    // stabilizeRecommendationWithBehaviors: up = min over the up window, down = max over the down window.
    const b = this.behavior;
    let up = proposed;
    let down = proposed;
    for (const rec of this.recommendations) {
      if (rec.t > t - b.scaleUp.stabilizationWindowSeconds) up = Math.min(up, rec.replicas);
      if (rec.t > t - b.scaleDown.stabilizationWindowSeconds) down = Math.max(down, rec.replicas);
    }
    this.recommendations.push({ t, replicas: proposed });
    const keep = Math.max(b.scaleUp.stabilizationWindowSeconds, b.scaleDown.stabilizationWindowSeconds);
    this.recommendations = this.recommendations.filter((r) => r.t > t - keep);
    let desired = current;
    if (desired < up) desired = up;
    if (desired > down) desired = down;
    // convertDesiredReplicasWithBehaviorRate: Pods policies over their period, counted from the
    // replicas at the period's start.
    if (desired > current) {
      const added = this.events.filter((e) => e.delta > 0 && e.t > t - b.scaleUp.periodSeconds).reduce((a, e) => a + e.delta, 0);
      desired = Math.min(desired, current - added + b.scaleUp.pods, this.max);
    } else if (desired < current) {
      const removed = this.events.filter((e) => e.delta < 0 && e.t > t - b.scaleDown.periodSeconds).reduce((a, e) => a - e.delta, 0);
      desired = Math.max(desired, current + removed - b.scaleDown.pods, this.min);
    }
    desired = Math.min(this.max, Math.max(this.min, desired));
    if (desired !== current) this.events.push({ t, delta: desired - current });
    return desired;
  }
}

/** KEDA around its HPA (min max(minReplicaCount, 1)): activation from zero and scale to zero after the cooldown. */
export class Keda {
  readonly hpa: Hpa;
  private lastActive: number;

  /** `createdAt`: when the ScaledObject was made; it does not scale to zero before createdAt + initialCooldownPeriod. */
  constructor(readonly minReplicaCount: number, readonly maxReplicaCount: number, readonly cooldownPeriod: number, behavior: Behavior, createdAt = 0, readonly initialCooldownPeriod = 0) {
    this.hpa = new Hpa(Math.max(1, minReplicaCount), maxReplicaCount, behavior);
    this.lastActive = createdAt;
    this.createdAt = createdAt;
  }

  private readonly createdAt: number;

  /** Any trigger strictly above its activation threshold. */
  static active(values: readonly { value: number; activationThreshold: number }[]): boolean {
    return values.some((v) => v.value > v.activationThreshold);
  }

  /**
   * One tick (KEDA polls every pollingInterval; the HPA syncs every 15 s: tick at 15 s with both).
   * Returns the replicas to set.
   */
  sync(t: number, current: number, ready: number, readings: readonly (Reading & { activationThreshold: number })[]): number {
    const isActive = Keda.active(readings);
    if (isActive) this.lastActive = t;
    if (current === 0) return isActive ? Math.max(1, this.minReplicaCount) : 0;
    if (!isActive && this.minReplicaCount === 0 && t - this.lastActive >= this.cooldownPeriod && t - this.createdAt >= this.initialCooldownPeriod) return 0;
    return this.hpa.sync(t, current, ready, readings);
  }
}
