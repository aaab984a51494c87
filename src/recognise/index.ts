// The four recognisers by upstream kind, for callers that pick one at run time
// (`tokenwatt inspect --kind`, the exporter's collectors).
import { recogniseDcgm } from './dcgm.ts';
import { recogniseKepler } from './kepler.ts';
import { recogniseSglang } from './sglang.ts';
import type { DcgmView, KeplerView, Recogniser, ServingView } from './types.ts';
import { recogniseVllm } from './vllm.ts';

export { RecogniseError } from './samples.ts';
export { recogniseDcgm, recogniseKepler, recogniseSglang, recogniseVllm };

export const recognisers: {
  vllm: Recogniser<ServingView>;
  sglang: Recogniser<ServingView>;
  dcgm: Recogniser<DcgmView>;
  kepler: Recogniser<KeplerView>;
} = { vllm: recogniseVllm, sglang: recogniseSglang, dcgm: recogniseDcgm, kepler: recogniseKepler };

export type RecogniserKind = keyof typeof recognisers;

export function isRecogniserKind(kind: string): kind is RecogniserKind {
  return Object.hasOwn(recognisers, kind);
}
