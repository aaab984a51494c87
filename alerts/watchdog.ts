// Watchdog: always firing, so a dead man's switch outside the cluster notices when the alerting
// pipeline (Prometheus -> Alertmanager -> receiver) stops. severity `none`: it is routed by name to
// its own receiver (alerts/routing.ts), never to a person.
import { alert } from '../src/rules/types.ts';
import type { AlertGroupDef } from '../src/rules/types.ts';

const group: AlertGroupDef = (c) => ({
  name: 'watchdog',
  rules: [
    alert(c, {
      name: 'Watchdog', severity: 'none', component: 'meta', expr: 'vector(1)',
      summary: 'This alert always fires to prove that the alerting pipeline works.',
      description: 'Prometheus{{ with $externalURL }} {{ . }}{{ end }} is evaluating rules and Alertmanager is delivering them; if this stops arriving, alerting is broken.',
    }),
  ],
});
export default group;
