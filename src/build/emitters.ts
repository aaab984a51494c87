// The parts of `npm run build`, in the order they run. Each lives in its own folder under src/build/.
import type { Emitter } from './types.ts';

export const emitters: Emitter[] = [];
