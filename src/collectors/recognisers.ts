// The recogniser of each kind the exporter reads, by kind id: what the scrape worker runs on a body.
// The same functions as the kinds' `inspect.recognise` (src/kinds/; a test holds them equal), imported
// directly so the worker loads the recognisers and the catalog, not the whole registry with its
// simulators, scrape jobs and panels (that cost ~29 MB of RSS when it did).
import type { MetricFamily } from '../exposition/types.ts';
import { recogniseDcgm } from '../recognise/dcgm.ts';
import { recogniseKepler } from '../recognise/kepler.ts';
import { recogniseSglang } from '../recognise/sglang.ts';
import { recogniseVllm } from '../recognise/vllm.ts';
import { recogniseLlamacpp } from '../kinds/llamacpp/recognise.ts';
import { recogniseTgi } from '../kinds/tgi/recognise.ts';
import { recogniseTriton } from '../kinds/triton/recognise.ts';

export const recognisers: Readonly<Record<string, (families: MetricFamily[]) => unknown>> = {
  vllm: recogniseVllm,
  sglang: recogniseSglang,
  dcgm: recogniseDcgm,
  kepler: recogniseKepler,
  tgi: recogniseTgi,
  llamacpp: recogniseLlamacpp,
  triton: recogniseTriton,
};
