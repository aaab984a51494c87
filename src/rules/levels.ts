// The aggregation levels rules keep, so every rule groups by the same labels and alerts carry the
// labels Alertmanager groups and inhibits on (cluster, namespace, model_name, host, gpu).
import type { MixinConfig } from '../config/mixin.ts';
import { BOARD_KEY } from '../promql/helpers.ts';

/** One served model. */
export const modelBy = (c: MixinConfig): string[] => [c.clusterLabel, 'namespace', 'model_name'];
/** One served model on one host (serving alerts, so a lost host inhibits them). */
export const servingBy = (c: MixinConfig): string[] => [c.clusterLabel, 'namespace', 'model_name', 'host'];
/** One physical GPU (boardMax's key plus the cluster). */
export const boardBy = (c: MixinConfig): string[] => [c.clusterLabel, ...BOARD_KEY];

/** A `le` matcher for a bucket bound: vLLM prints bounds as floats (`1.0`), others may not (`1`). */
export function leMatcher(bound: number): string {
  const plain = String(bound).replace(/\./g, '\\\\.');
  return Number.isInteger(bound) ? `le=~"${plain}(\\\\.0)?"` : `le="${bound}"`;
}

/** Join a base selector string (`job="vllm"`) with more matchers. */
export function and(base: string, ...more: string[]): string {
  return [base, ...more].filter((s) => s.length > 0).join(', ');
}

/**
 * Whether SGLang models join the error SLI and error-ratio alert: SGLang counts errors and client
 * aborts in one counter (sglang:num_aborted_requests_total), so only when aborts count as failures
 * (alerting.serving.errorReasons has 'abort', the same choice as for vLLM's finished_reason).
 */
export const sglangAbortsAreErrors = (c: MixinConfig): boolean => c.alerting.serving.errorReasons.includes('abort');
