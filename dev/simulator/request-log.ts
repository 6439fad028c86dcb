/** What each request did, per tenant and overall, for tests and benchmarks. */
import type { Fault } from "./faults.js";

export interface RequestLogEntry {
  /** Simulator clock at the start of the request (ms since the epoch). */
  readonly at: number;
  /** null when the token could not be tied to a hosted tenant. */
  readonly tenantId: string | null;
  readonly appId: string | null;
  readonly method: string;
  /** Path without query, e.g. "v1.0/users" (batch items carry the envelope's version). */
  readonly path: string;
  /** Decoded query parameters as sent. */
  readonly query: Readonly<Record<string, string>>;
  readonly status: number;
  readonly resourceUnits: number;
  /** Refused by the throttling model (a 429 fault is not "throttled"). */
  readonly throttled: boolean;
  readonly batchItem: boolean;
  readonly requestId: string;
  readonly retryAfter?: string;
  /** x-ms-throttle-scope of a 429 the throttling model sent: which limit refused it. */
  readonly throttleScope?: string;
  readonly fault?: Fault["type"];
}

export interface RequestCounters {
  requests: number;
  byStatus: Record<number, number>;
  resourceUnits: number;
  /** Every 429, whether from throttling or a fault. */
  tooManyRequests: number;
  throttled: number;
  /** Access tokens the token endpoint issued for this tenant. */
  tokensIssued: number;
}

const emptyCounters = (): RequestCounters => ({
  requests: 0,
  byStatus: {},
  resourceUnits: 0,
  tooManyRequests: 0,
  throttled: 0,
  tokensIssued: 0,
});

/** Keeps the newest entries only, so a long CLI session can't grow without bound; counters keep counting. */
const MAX_ENTRIES = 100_000;

export class RequestLog {
  private list: RequestLogEntry[] = [];
  counters: RequestCounters = emptyCounters();

  get entries(): readonly RequestLogEntry[] {
    return this.list;
  }

  record(entry: RequestLogEntry): void {
    this.list.push(entry);
    if (this.list.length > MAX_ENTRIES) this.list.splice(0, this.list.length - MAX_ENTRIES);
    const c = this.counters;
    c.requests++;
    c.byStatus[entry.status] = (c.byStatus[entry.status] ?? 0) + 1;
    c.resourceUnits += entry.resourceUnits;
    if (entry.status === 429) c.tooManyRequests++;
    if (entry.throttled) c.throttled++;
  }

  reset(): void {
    this.list = [];
    this.counters = emptyCounters();
  }
}
