/** Counters one Graph client keeps while it scans a tenant: runs record them, benchmarks compare them. */
export class GraphCallStats {
  requests = 0;
  throttled = 0;
  serverErrors = 0;
  retries = 0;
  waitedInMs = 0;

  snapshot(): GraphCallCounts {
    const { requests, throttled, serverErrors, retries, waitedInMs } = this;
    return { requests, throttled, serverErrors, retries, waitedInMs };
  }
}

export interface GraphCallCounts {
  readonly requests: number;
  readonly throttled: number;
  readonly serverErrors: number;
  readonly retries: number;
  readonly waitedInMs: number;
}
