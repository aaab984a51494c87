// How a collector authenticates to an upstream and verifies its https certificate. The exporter's
// config (src/exporter/config.ts) validates these from YAML; the collectors only read them, so the
// types live here, beside the HTTP target that uses them.

/** Credentials: a bearer token or HTTP basic auth (the config refuses both at once). */
export interface AuthConfig {
  bearerToken?: string;
  basic?: { username: string; password: string };
}

/** How an https target is verified: `ca` (PEM, read from caFile at load) or no verification. */
export interface UpstreamTls {
  ca?: Buffer;
  insecureSkipVerify?: boolean;
}
