// Thresholds, `for` durations, SLOs and Alertmanager receivers that alerts/, rules/ and
// alerts/routing.ts are compiled with. Part of MixinConfig (src/config/mixin.ts): tests and the
// demo shorten timings by overriding these fields, never by editing a rule.

import type { ReceiversConfig } from './receivers.ts';

/** A Prometheus duration such as '5m', '1h', '3d'. */
export type Duration = string;

/** One multiwindow burn-rate condition: the error budget burns `factor` times too fast over both windows. */
export interface BurnWindow {
  long: Duration;
  short: Duration;
  factor: number;
}

export interface SloConfig {
  /** Target fraction of good events, e.g. 0.99. */
  objective: number;
}

export interface AlertingConfig {
  gpu: {
    /** A change of the last-XID gauge inside this window is a new XID. */
    xidWindow: Duration;
    /** XIDs that need a human now (48 DBE, 74 NVLink, 79 fell off the bus, 94/95 ECC, 119/120 GSP). */
    fatalXids: number[];
    /** Fraction of wall time spent throttled (from the violation counters) that counts as throttling. */
    throttleRatio: number;
    /** Window of the violation-counter rate that the ratio is measured over. */
    throttleWindow: Duration;
    throttleFor: Duration;
    /** Violation-counter units per second: 1e9 (ns, current DCGM) or 1e6 (us, older builds). */
    violationUnitsPerSecond: number;
    /** Alert this many degrees below DCGM_FI_DEV_SLOWDOWN_TEMP ... */
    slowdownMarginCelsius: number;
    /** ... or above this temperature when the slowdown field is not exported. */
    fallbackSlowdownCelsius: number;
    temperatureFor: Duration;
    /** New uncorrectable row remaps / double-bit ECC errors are looked for over this window. */
    memoryErrorWindow: Duration;
    /** The GPU count of a host is compared with its maximum over this window. */
    gpuCountWindow: Duration;
    /** GPUMissing and HostDown silence serving alerts on their host, so they must fire first: shorter than serving.downFor (the build checks). */
    missingFor: Duration;
    exporterDownFor: Duration;
    hostDownFor: Duration;
    /** dcgm-exporter #662: GPU_UTIL above this while GR_ENGINE_ACTIVE is 0 means stuck telemetry. */
    stuckUtilPercent: number;
    stuckFor: Duration;
  };
  serving: {
    downFor: Duration;
    absentFor: Duration;
    /** Window of the rates behind the error-ratio and preemption alerts. */
    rateWindow: Duration;
    errorRatio: number;
    errorFor: Duration;
    /** finished_reason values of vllm:request_success_total that count as failures. */
    errorReasons: string[];
    queueDepth: number;
    queueFor: Duration;
    kvCacheRatio: number;
    kvCacheFor: Duration;
    preemptionsPerSecond: number;
    preemptionsFor: Duration;
  };
  slo: {
    /** TTFT SLO: `objective` of requests get their first token within `thresholdSeconds` (a bucket bound). */
    ttft: SloConfig & { thresholdSeconds: number };
    /** Error SLO: `objective` of finished requests do not end in one of serving.errorReasons. */
    errors: SloConfig;
    /** Page (critical) and ticket (warning) conditions, Google SRE workbook ch. 5. */
    page: BurnWindow[];
    ticket: BurnWindow[];
    pageFor: Duration;
    ticketFor: Duration;
  };
  energy: {
    /** tokens/J averaged over `window` below (1 - dropRatio) x its average over `baselineWindow` fires. */
    dropRatio: number;
    window: Duration;
    baselineWindow: Duration;
    /** Ignore models generating fewer tokens/s than this (tokens/J is meaningless near idle). */
    minTokensPerSecond: number;
    dropFor: Duration;
    /** Idle cost of an allocated slice with no generated token over `idleWindow`, in currency per hour. */
    idleCostPerHour: number;
    idleWindow: Duration;
    idleFor: Duration;
    /** Board power (from the energy counter) at or above this fraction of the enforced limit. */
    powerCapRatio: number;
    powerCapFor: Duration;
    unallocatedFor: Duration;
  };
  tokenwatt: {
    downFor: Duration;
    collectorDownFor: Duration;
    nvmlDownFor: Duration;
  };
}

export interface AlertmanagerConfig {
  /** File holding the PagerDuty Events v2 routing key (Alertmanager reads it at send time). */
  pagerdutyRoutingKeyFile: string;
  /** File holding the Slack incoming-webhook URL. */
  slackApiUrlFile: string;
  slackChannel: string;
  /** When set, warning alerts go to this webhook (Mattermost, Teams bridge...) instead of Slack. */
  chatWebhookUrl?: string;
  /** When set, critical and warning alerts go to this webhook instead of PagerDuty and Slack (demo, tests). */
  webhookUrl?: string;
  /** Dead man's switch endpoint that receives Watchdog (e.g. healthchecks.io); none: Watchdog is only visible. */
  watchdogUrl?: string;
  groupWait: Duration;
  groupInterval: Duration;
  repeatInterval: Duration;
  /** Integrations (PagerDuty, Slack, webhook, email, Opsgenie) replacing the defaults above per receiver. */
  receivers?: ReceiversConfig;
}

export const defaultAlertingConfig: AlertingConfig = {
  gpu: {
    xidWindow: '10m',
    fatalXids: [48, 74, 79, 94, 95, 119, 120],
    throttleRatio: 0.1,
    throttleWindow: '5m',
    throttleFor: '15m',
    violationUnitsPerSecond: 1e9,
    slowdownMarginCelsius: 5,
    fallbackSlowdownCelsius: 85,
    temperatureFor: '5m',
    memoryErrorWindow: '1h',
    gpuCountWindow: '6h',
    missingFor: '2m',
    exporterDownFor: '5m',
    hostDownFor: '2m',
    stuckUtilPercent: 90,
    stuckFor: '15m',
  },
  serving: {
    downFor: '3m',
    absentFor: '10m',
    rateWindow: '5m',
    errorRatio: 0.05,
    errorFor: '10m',
    errorReasons: ['error'],
    queueDepth: 20,
    queueFor: '15m',
    kvCacheRatio: 0.95,
    kvCacheFor: '15m',
    preemptionsPerSecond: 0.1,
    preemptionsFor: '15m',
  },
  slo: {
    ttft: { objective: 0.99, thresholdSeconds: 1 },
    errors: { objective: 0.999 },
    page: [{ long: '1h', short: '5m', factor: 14.4 }, { long: '6h', short: '30m', factor: 6 }],
    ticket: [{ long: '1d', short: '2h', factor: 3 }, { long: '3d', short: '6h', factor: 1 }],
    pageFor: '2m',
    ticketFor: '15m',
  },
  energy: {
    dropRatio: 0.3,
    window: '1h',
    baselineWindow: '1d',
    minTokensPerSecond: 1,
    dropFor: '30m',
    idleCostPerHour: 0.1,
    idleWindow: '2h',
    idleFor: '30m',
    powerCapRatio: 0.98,
    powerCapFor: '30m',
    unallocatedFor: '6h',
  },
  tokenwatt: {
    downFor: '5m',
    collectorDownFor: '10m',
    nvmlDownFor: '5m',
  },
};

export const defaultAlertmanagerConfig: AlertmanagerConfig = {
  pagerdutyRoutingKeyFile: '/etc/alertmanager/secrets/pagerduty-routing-key',
  slackApiUrlFile: '/etc/alertmanager/secrets/slack-webhook-url',
  slackChannel: '#llm-serving-alerts',
  groupWait: '30s',
  groupInterval: '5m',
  repeatInterval: '4h',
};
