// Alertmanager receivers a build config may set, in alertmanager.yml's own field names (Alertmanager
// 0.25, the version the tests run). Secrets are accepted only as files Alertmanager reads at send
// time (`routing_key_file`, `api_url_file`, `api_key_file`, `auth_password_file`, `credentials_file`):
// the generated alertmanager.yml lands in git, ConfigMaps and CI logs, so an inline secret is refused
// with the name of its *_file twin.
import { z } from 'zod';

/** Inline secret field → the file field to use instead. */
export const SECRET_FIELDS: Record<string, string> = {
  routing_key: 'routing_key_file',
  service_key: 'service_key_file',
  api_url: 'api_url_file',
  api_key: 'api_key_file',
  auth_password: 'auth_password_file',
  auth_secret: 'auth_password_file',
  password: 'password_file',
  credentials: 'credentials_file',
  bearer_token: 'bearer_token_file',
  client_secret: 'client_secret_file',
};

const str = z.string().min(1);
const file = z.string().min(1).regex(/^\//, 'an absolute path of a file Alertmanager can read');
const any = z.unknown();

const TlsConfig = z.object({ ca_file: file, cert_file: file, key_file: file, server_name: str, insecure_skip_verify: z.boolean(), min_version: str }).partial().strict();

const HttpConfig = z.object({
  basic_auth: z.object({ username: str, password_file: file }).partial().strict(),
  authorization: z.object({ type: str, credentials_file: file }).partial().strict(),
  bearer_token_file: file,
  oauth2: z.object({ client_id: str, client_secret_file: file, token_url: str, scopes: z.array(str), endpoint_params: z.record(z.string(), z.string()) }).partial().strict(),
  proxy_url: str,
  follow_redirects: z.boolean(),
  enable_http2: z.boolean(),
  tls_config: TlsConfig,
}).partial().strict();

const common = { send_resolved: z.boolean().optional(), http_config: HttpConfig.optional() };

const Pagerduty = z.object({
  ...common,
  routing_key_file: file.optional(),
  service_key_file: file.optional(),
  url: str.optional(),
  client: str.optional(),
  client_url: str.optional(),
  description: str.optional(),
  details: z.record(z.string(), z.string()).optional(),
  images: z.array(any).optional(),
  links: z.array(z.object({ href: str, text: str }).strict()).optional(),
  source: str.optional(),
  severity: str.optional(),
  class: str.optional(),
  component: str.optional(),
  group: str.optional(),
}).strict().refine((p) => (p.routing_key_file === undefined) !== (p.service_key_file === undefined), { message: 'give routing_key_file (Events API v2) or service_key_file (v1), one of them' });

const Slack = z.object({
  ...common,
  api_url_file: file,
  channel: str.optional(),
  username: str.optional(),
  color: str.optional(),
  title: str.optional(),
  title_link: str.optional(),
  pretext: str.optional(),
  text: str.optional(),
  fallback: str.optional(),
  footer: str.optional(),
  icon_emoji: str.optional(),
  icon_url: str.optional(),
  image_url: str.optional(),
  thumb_url: str.optional(),
  link_names: z.boolean().optional(),
  short_fields: z.boolean().optional(),
  mrkdwn_in: z.array(str).optional(),
  callback_id: str.optional(),
  fields: z.array(any).optional(),
  actions: z.array(any).optional(),
}).strict();

const Webhook = z.object({
  ...common,
  // Alertmanager 0.25 has no url_file (0.26+); a webhook URL that is itself a secret belongs behind a proxy.
  url: z.url({ protocol: /^https?$/ }),
  max_alerts: z.number().int().nonnegative().optional(),
}).strict();

const Email = z.object({
  ...common,
  to: str,
  from: str.optional(),
  smarthost: str.optional(),
  hello: str.optional(),
  auth_username: str.optional(),
  auth_password_file: file.optional(),
  auth_identity: str.optional(),
  require_tls: z.boolean().optional(),
  tls_config: TlsConfig.optional(),
  html: str.optional(),
  text: str.optional(),
  headers: z.record(z.string(), z.string()).optional(),
}).strict();

const Opsgenie = z.object({
  ...common,
  api_key_file: file,
  api_url: str.optional(),
  message: str.optional(),
  description: str.optional(),
  source: str.optional(),
  details: z.record(z.string(), z.string()).optional(),
  entity: str.optional(),
  responders: z.array(z.object({ id: str, name: str, username: str, type: z.enum(['team', 'teams', 'user', 'escalation', 'schedule']) }).partial().strict()).optional(),
  actions: str.optional(),
  tags: str.optional(),
  note: str.optional(),
  priority: str.optional(),
  update_alerts: z.boolean().optional(),
}).strict();

/** One receiver's integrations; each list is written into alertmanager.yml as given. */
export const ReceiverSchema = z.object({
  pagerduty_configs: z.array(Pagerduty).min(1).optional(),
  slack_configs: z.array(Slack).min(1).optional(),
  webhook_configs: z.array(Webhook).min(1).optional(),
  email_configs: z.array(Email).min(1).optional(),
  opsgenie_configs: z.array(Opsgenie).min(1).optional(),
}).strict().refine((r) => Object.keys(r).length > 0, { message: 'a receiver needs at least one of pagerduty_configs, slack_configs, webhook_configs, email_configs, opsgenie_configs' });

export type ReceiverConfig = z.output<typeof ReceiverSchema>;

/** Receivers that replace the default integrations of the routing's receivers (alerts/routing.ts). */
export const ReceiversSchema = z.object({
  /** severity=critical (default: PagerDuty). */
  page: ReceiverSchema.optional(),
  /** severity=warning (default: Slack). */
  chat: ReceiverSchema.optional(),
  /** Watchdog, the dead man's switch (default: none). */
  watchdog: ReceiverSchema.optional(),
}).strict();

export type ReceiversConfig = z.output<typeof ReceiversSchema>;
