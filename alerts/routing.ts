// Alertmanager routing as code: critical pages (PagerDuty), warning goes to chat (Slack), info is
// kept in Alertmanager only (null receiver), Watchdog (severity none) goes by name to a dead man's
// switch. Field names are alertmanager.yml's own; only what Alertmanager 0.25 accepts (no
// inhibit-rule `name`; webhook `url_file` is 0.26+, so webhook URLs come from the config).
import type { MixinConfig } from '../src/config/mixin.ts';

/** Labels alerts are grouped by: one notification per alert kind, model and GPU. */
export const GROUP_BY = ['alertname', 'cluster', 'namespace', 'model_name', 'gpu'];

/** Alerts that mean a GPU host (or a GPU on it) is gone: they silence serving alerts on that host. */
export const HOST_LOSS_ALERTS = ['HostDown', 'GPUMissing'];
/** The serving alerts a host loss causes at once (its servers stop answering): they must fire later (checked at build). */
export const HOST_LOSS_SYMPTOMS = ['LLMServerDown'];

export const RECEIVERS = { page: 'pagerduty', chat: 'chat', none: 'null', watchdog: 'watchdog' } as const;

type Receiver = { name: string } & Record<string, unknown>;

function receivers(c: MixinConfig): Receiver[] {
  const am = c.alertmanager;
  // The demo and tests send both to a local webhook: same receiver names, same routes.
  const webhook = am.webhookUrl ? { webhook_configs: [{ url: am.webhookUrl, send_resolved: true }] } : undefined;
  // A build config's receivers (src/config/receivers.ts) replace a receiver's default integrations.
  const given = am.receivers ?? {};
  if (webhook === undefined && (given.page || given.chat || given.watchdog)) {
    return [
      { name: RECEIVERS.none },
      ...[RECEIVERS.page, RECEIVERS.chat, RECEIVERS.watchdog].map((name) => {
        const r = given[name === RECEIVERS.page ? 'page' : name === RECEIVERS.chat ? 'chat' : 'watchdog'];
        return r ? { name, ...r } : defaults(c).find((d) => d.name === name)!;
      }),
    ];
  }
  return defaults(c, webhook);
}

function defaults(c: MixinConfig, webhook?: object): Receiver[] {
  const am = c.alertmanager;
  return [
    { name: RECEIVERS.none },
    {
      name: RECEIVERS.page,
      ...(webhook ?? {
        pagerduty_configs: [{
          routing_key_file: am.pagerdutyRoutingKeyFile,
          send_resolved: true,
          description: '{{ .CommonLabels.alertname }}: {{ .CommonAnnotations.summary }}',
          links: [{ href: '{{ .CommonAnnotations.runbook_url }}', text: 'Runbook' }],
        }],
      }),
    },
    {
      name: RECEIVERS.chat,
      ...(webhook ?? (am.chatWebhookUrl ? { webhook_configs: [{ url: am.chatWebhookUrl, send_resolved: true }] } : undefined) ?? {
        slack_configs: [{
          api_url_file: am.slackApiUrlFile,
          channel: am.slackChannel,
          send_resolved: true,
          title: '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}',
          text: '{{ range .Alerts }}{{ .Annotations.description }}\n{{ end }}{{ .CommonAnnotations.runbook_url }}',
        }],
      }),
    },
    { name: RECEIVERS.watchdog, ...(am.watchdogUrl ? { webhook_configs: [{ url: am.watchdogUrl, send_resolved: false }] } : {}) },
  ];
}

/** The whole alertmanager.yml. */
export function alertmanagerConfig(c: MixinConfig): object {
  const am = c.alertmanager;
  const cl = c.clusterLabel;
  const groupBy = GROUP_BY.map((l) => (l === 'cluster' ? cl : l));
  return {
    route: {
      receiver: RECEIVERS.none,
      group_by: groupBy,
      group_wait: am.groupWait,
      group_interval: am.groupInterval,
      repeat_interval: am.repeatInterval,
      routes: [
        // Before the severity routes: Watchdog must never page, and must repeat often.
        { receiver: RECEIVERS.watchdog, matchers: ['alertname="Watchdog"'], group_wait: '0s', group_interval: '1m', repeat_interval: '1m' },
        { receiver: RECEIVERS.page, matchers: ['severity="critical"'] },
        { receiver: RECEIVERS.chat, matchers: ['severity="warning"'] },
        { receiver: RECEIVERS.none, matchers: ['severity="info"'] },
      ],
    },
    inhibit_rules: [
      // A critical silences its warning twin: same alert name on the same thing.
      { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname', cl, 'namespace', 'model_name', 'gpu', 'host'] },
      // A lost host or GPU silences the serving alerts on that host: the cause pages, not each symptom.
      { source_matchers: [`alertname=~"${HOST_LOSS_ALERTS.join('|')}"`], target_matchers: ['component="serving"'], equal: [cl, 'host'] },
    ],
    receivers: receivers(c),
  };
}
