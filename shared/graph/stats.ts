/** Counters one Graph client keeps while it scans a tenant: runs record them, benchmarks compare them. */
export class GraphCallStats {
  requests = 0;
  throttled = 0;
  serverErrors = 0;
  retries = 0;
  waitedInMs = 0;
  /** Time requests were held back by pacing (not counted in waitedInMs, which is retry backoff). */
  pacedInMs = 0;

  snapshot(): GraphCallCounts {
    const { requests, throttled, serverErrors, retries, waitedInMs, pacedInMs } = this;
    return { requests, throttled, serverErrors, retries, waitedInMs, pacedInMs };
  }
}

export interface GraphCallCounts {
  readonly requests: number;
  readonly throttled: number;
  readonly serverErrors: number;
  readonly retries: number;
  readonly waitedInMs: number;
  readonly pacedInMs: number;
}
