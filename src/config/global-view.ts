// Scale-out (docs/scaling.md): one global store over every cluster. Each cluster's Prometheus (or
// vmagent) remote-writes to VictoriaMetrics; vmalert evaluates tokenwatt's rule files against it and
// notifies Alertmanager. Part of MixinConfig (src/config/mixin.ts); `tokenwatt build` writes what it
// needs into dist/victoriametrics/, and into prometheus.yml when `remoteWrite` is on.

export interface GlobalViewConfig {
  /** Base URL of VictoriaMetrics single-node (…:8428); for a VM cluster, vminsert and vmselect differ: set writeUrl/queryUrl. */
  url: string;
  /** Remote-write URL; default `<url>/api/v1/write`. */
  writeUrl?: string;
  /** Prometheus-API query URL vmalert and Grafana read; default `<url>`. */
  queryUrl?: string;
  /** Add remote_write to the generated prometheus.yml (off: only the snippet in dist/victoriametrics/). */
  remoteWrite: boolean;
  /** Alertmanager URLs vmalert notifies. */
  alertmanagers: string[];
}

export const defaultGlobalViewConfig: GlobalViewConfig = {
  url: 'http://victoriametrics:8428',
  remoteWrite: false,
  alertmanagers: ['http://alertmanager:9093'],
};

export const globalWriteUrl = (g: GlobalViewConfig): string => g.writeUrl ?? `${g.url.replace(/\/+$/, '')}/api/v1/write`;
export const globalQueryUrl = (g: GlobalViewConfig): string => g.queryUrl ?? g.url.replace(/\/+$/, '');
