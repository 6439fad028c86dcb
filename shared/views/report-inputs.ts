/**
 * What the report pages render (shared/views/fleet-overview.ts, shared/views/tenant-report.ts):
 * plain data, gathered by shared/reports/ and the functions, so the views stay pure.
 */
import type { ControlId } from "../model/findings.js";
import type { Acceptance, FindingEvent, StoredFinding } from "../model/stored.js";
import type { ControlState, TenantSummary } from "../model/summary.js";

export const OVERVIEW_SORTS = ["name", "score", "open", "last-run"] as const;
export type OverviewSort = (typeof OVERVIEW_SORTS)[number];

/** The overview's query (?failing=1&control=&name=&sort=), already validated. */
export interface OverviewFilter {
  readonly failingOnly: boolean;
  readonly control: ControlId | null;
  /** Case-insensitive part of the tenant's display name; empty: every tenant. */
  readonly name: string;
  readonly sort: OverviewSort;
}

export interface OverviewTenant {
  readonly tenantId: string;
  readonly displayName: string;
  /** Undefined until the tenant's first scan ends. */
  readonly summary: TenantSummary | undefined;
}

export interface FleetOverviewInput {
  /** Every registered tenant; the view filters and sorts. */
  readonly tenants: readonly OverviewTenant[];
  readonly filter: OverviewFilter;
  /** Who is signed in (shown in the header). */
  readonly signedInAs: string;
  readonly now: Date;
  /** Route of a tenant's report, e.g. `reports/tenants/{tenantId}` relative to the overview. */
  readonly reportHref: (tenantId: string) => string;
  /** CSV of the findings API for a tenant. */
  readonly csvHref: (tenantId: string) => string;
}

/** Remediations of the tenant from the audit table, by action and outcome. */
export interface WorkDoneRow {
  readonly action: string;
  readonly outcome: string;
  readonly count: number;
  /** ISO 8601 of the most recent attempt. */
  readonly last: string;
}

/** The hidden field that protects the accept and revoke forms, and where they post. */
export interface RiskForms {
  readonly csrfFieldName: string;
  readonly csrfValue: string;
  /** POST targets (form-encoded: control, subjectId, reason, expiresInDays | expiresAt). */
  readonly acceptAction: string;
  readonly revokeAction: string;
  /** The longest acceptance (days) and a default the form proposes. */
  readonly maxDays: number;
  readonly defaultDays: number;
}

export interface TenantReportInput {
  readonly tenantId: string;
  readonly displayName: string;
  readonly summary: TenantSummary | undefined;
  /** Every stored finding of the tenant (open and resolved). */
  readonly findings: readonly StoredFinding[];
  /** Acceptances in force. */
  readonly acceptances: readonly Acceptance[];
  /** The last run's events (new, resolved, reopened, changed, acceptance-expired). */
  readonly lastRunEvents: readonly FindingEvent[];
  /** The tenant's exclusions (user and group ids), shown so they stay visible. */
  readonly exclusions: { readonly userIds: readonly string[]; readonly groupIds: readonly string[] };
  readonly workDone: readonly WorkDoneRow[];
  /** Undefined when the signed-in person may not accept risks (no forms shown). */
  readonly forms: RiskForms | undefined;
  /** A notice after a form post (e.g. "Accepted until …", or the problem), shown at the top. */
  readonly notice: { readonly tone: "success" | "danger"; readonly text: string } | undefined;
  readonly signedInAs: string;
  readonly now: Date;
  readonly overviewHref: string;
  readonly csvHref: string;
}

/** A control's cell in the overview grid. */
export type GridCell = ControlState | "none";
