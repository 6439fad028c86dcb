/** Messages between the benchmark and its child processes (Node IPC, JSON). */
import type { TenantConfig } from "../shared/model/tenant.js";
import type { TenantNeeds } from "./minimum.js";

/** What the simulator child serves. */
export type SimulatorSpec =
  | {
      readonly kind: "tenants";
      readonly tenants: readonly { readonly users: number; readonly license: "free" | "p1" | "p2"; readonly seed: number }[];
    }
  /** A generated fleet; `only`: just these tenants of it (by index in the fleet plan). */
  | { readonly kind: "fleet"; readonly tenants: number; readonly seed: number; readonly only?: readonly number[] };

export interface ServedTenant {
  readonly needs: TenantNeeds;
  readonly config: TenantConfig;
  readonly sizeClass: string;
}

export interface SimulatorReady {
  readonly type: "ready";
  readonly baseUrl: string;
  readonly authorityHost: string;
  readonly tenants: readonly ServedTenant[];
  readonly loadSeconds: number;
}

export interface TenantSimStats {
  /** HTTP requests (a $batch envelope once, its items not). */
  readonly requests: number;
  readonly tooManyRequests: number;
  /** 429s by the path they answered and the limit that refused them, ids replaced by `{id}`. */
  readonly tooManyRequestsByPath: Readonly<Record<string, number>>;
  readonly minimalWaitMs: number;
  /** Per-user requests for data a bulk report has (authentication methods, registration rows, sign-in activity by id). */
  readonly perUserCalls: number;
  /** Pages of users or of the registration report that were served more than once. */
  readonly repeatedPages: number;
}

export interface SimulatorStats {
  readonly type: "stats";
  readonly tenants: Readonly<Record<string, TenantSimStats>>;
  readonly appMinimalWaitMs: number;
  readonly appThrottled: number;
  readonly rssBytes: number;
  /** CPU seconds the simulator used since it started. */
  readonly cpuSeconds: number;
}

export type SimulatorCommand =
  | { readonly type: "stats" }
  | { readonly type: "reset" }
  | { readonly type: "faults"; readonly faults: readonly BenchFault[] }
  | { readonly type: "clear-faults" }
  | { readonly type: "stop" };

/** A fault the fleet scenario injects to show one tenant's trouble stays with it. */
export interface BenchFault {
  readonly tenantId: string;
  readonly status: 429 | 503;
  readonly times: number;
  readonly retryAfterSeconds?: number;
}

/** What a scanning child reports when it is done. */
export interface WorkerResult {
  readonly type: "result";
  /** From the sweep's start until its last tenant's run ended. */
  readonly wallMs: number;
  readonly peakRssBytes: number;
  /** CPU seconds of the scanning process while it ran. */
  readonly cpuSeconds: number;
  readonly tenants: readonly WorkerTenantResult[];
}

export interface WorkerTenantResult {
  readonly tenantId: string;
  readonly status: string;
  readonly requests: number;
  readonly throttled: number;
  readonly users: number;
  readonly invocations: number;
  readonly findingRows: number;
  /** Per table: transactions (or single writes) in the tenant's partition. */
  readonly findingWrites: number;
  readonly eventRows: number;
  readonly eventWrites: number;
  readonly checkpointWrites: number;
  /** Real ms from the tenant's start to its end. */
  readonly scanMs: number;
  /** Real ms from the start of the run to the tenant's end. */
  readonly endedAtMs: number;
}
