// The grafana part of `npm run build`; see src/build/emitters.ts for the order.
import type { Emitter } from '../types.ts';

export const grafanaEmitters: Emitter[] = [];
