// The alertmanager part of `npm run build`; see src/build/emitters.ts for the order.
// alertmanager/alertmanager.yml from alerts/routing.ts.
import { alertmanagerConfig } from '../../../alerts/routing.ts';
import type { Emitter } from '../types.ts';
import { toYaml } from '../yaml.ts';

const alertmanager: Emitter = {
  name: 'alertmanager',
  emit(config) {
    return [{ path: 'alertmanager/alertmanager.yml', content: toYaml(alertmanagerConfig(config), 'alerts/routing.ts') }];
  },
};

export const alertmanagerEmitters: Emitter[] = [alertmanager];
