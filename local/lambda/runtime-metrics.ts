import type { FunctionMetrics, LambdaService } from './service.js';

/** The body of `GET /_local/metrics`. */
export interface RuntimeMetrics {
  readonly process: {
    /** Resident memory of the runtime's own process. */
    readonly rssBytes: number;
    /** Execution environments of every function. */
    readonly environments: number;
    /** Their runtime processes' resident memory, summed. */
    readonly environmentsRssBytes: number;
  };
  readonly functions: Readonly<Record<string, FunctionMetrics>>;
}

/** The runtime's memory and process count, and each function's counters and environments. */
export function runtimeMetrics(lambda: LambdaService): RuntimeMetrics {
  const functions = lambda.metrics();
  let environments = 0;
  let environmentsRssBytes = 0;
  for (const f of Object.values(functions)) {
    environments += f.environments;
    environmentsRssBytes += f.environmentsRssBytes;
  }
  return { process: { rssBytes: process.memoryUsage.rss(), environments, environmentsRssBytes }, functions };
}
