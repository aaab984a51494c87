// Names of tokenwatt's recording rules (level:metric:operations). The rules themselves live in
// rules/; their names are declared here so that dashboards and alerts can only use real ones.
import { defineMetrics } from './types.ts';

export const recordingMetrics = defineMetrics([
] as const);
