/**
 * A tenant at a glance, as of its last scan (and the acceptances made since): what the fleet
 * overview, `GET /api/tenants` and the tenant report's headline read, one row per tenant, so none of
 * them reads every finding of every tenant.
 */
import type { ControlId, Severity } from "./findings.js";

/**
 * A control in one tenant: `fail` when an open failing finding is not accepted; `unknown` when it could
 * not be judged (and nothing fails); `accepted` when every open finding is accepted; `pass` otherwise.
 */
export type ControlState = "fail" | "unknown" | "accepted" | "pass";

export interface ControlSummary {
  readonly state: ControlState;
  /** Open findings not accepted. */
  readonly open: number;
  readonly accepted: number;
  /** For `unknown`: why (the tenant-level row's reason, e.g. `license`). */
  readonly reason: string | null;
}

export interface TrendPoint {
  readonly runId: string;
  /** ISO 8601: the run's evaluation instant. */
  readonly asOf: string;
  readonly open: number;
}

export interface LastRun {
  readonly runId: string;
  readonly status: "completed" | "partial" | "failed";
  readonly reason: string | null;
  /** ISO 8601. */
  readonly asOf: string;
  readonly finishedAt: string;
}

export interface TenantSummary {
  readonly tenantId: string;
  readonly lastRun: LastRun | null;
  readonly controls: Readonly<Record<ControlId, ControlSummary>>;
  readonly open: number;
  readonly openBySeverity: Readonly<Record<Severity, number>>;
  readonly accepted: number;
  /** 0–100, severity-weighted share of judged controls that pass (reports/summary.ts); null when none was judged. */
  readonly score: number | null;
  /** Events of the last run: new, resolved, reopened, changed, acceptance-expired. */
  readonly changes: Readonly<Record<string, number>>;
  /** Open findings after each of the last runs that judged the tenant, oldest first. */
  readonly trend: readonly TrendPoint[];
  /** ISO 8601. */
  readonly updatedAt: string;
}

/** Runs kept in a summary's trend. */
export const TREND_RUNS = 30;
