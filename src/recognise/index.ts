// The recognisers by upstream kind, for callers that pick one at run time (`tokenwatt inspect --kind`,
// tests): derived from the kind registry (src/kinds/index.ts), which says which recogniser each kind has.
import { recognisers as byKind, isInspectKind } from '../kinds/index.ts';
import type { InspectKindId } from '../kinds/index.ts';
import { recogniseDcgm } from './dcgm.ts';
import { recogniseKepler } from './kepler.ts';
import { recogniseSglang } from './sglang.ts';
import { recogniseVllm } from './vllm.ts';

export { RecogniseError } from './samples.ts';
export { recogniseDcgm, recogniseKepler, recogniseSglang, recogniseVllm };

export const recognisers = byKind;

export type RecogniserKind = InspectKindId;

export function isRecogniserKind(kind: string): kind is RecogniserKind {
  return isInspectKind(kind);
}
