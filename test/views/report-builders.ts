/** Inputs for the report views' tests: a summary with every control passing, changed one field at a time. */
import { CONTROL_IDS, type ControlId } from "../../shared/model/findings.js";
import type { Acceptance, StoredFinding } from "../../shared/model/stored.js";
import type { ControlState, ControlSummary, LastRun, TenantSummary } from "../../shared/model/summary.js";
import type { OverviewTenant, TenantReportInput } from "../../shared/views/report-inputs.js";

export const NOW = new Date("2026-12-05T12:00:00Z");
export const HOSTILE = `<img src=x onerror=alert(1)> "Bobby" & Tables`;

export function lastRun(patch: Partial<LastRun> = {}): LastRun {
  return {
    runId: "run-2026-12-05",
    status: "completed",
    reason: null,
    asOf: "2026-12-05T02:00:00.000Z",
    finishedAt: "2026-12-05T02:10:00.000Z",
    ...patch,
  };
}

const passing: ControlSummary = { state: "pass", open: 0, accepted: 0, reason: null };

/** Every control passing, score 100, nothing open; `states` sets some controls' state. */
export function summary(
  tenantId: string,
  states: Partial<Record<ControlId, ControlState | ControlSummary>> = {},
  patch: Partial<TenantSummary> = {},
): TenantSummary {
  const controls = Object.fromEntries(
    CONTROL_IDS.map((id) => {
      const state = states[id];
      return [id, state === undefined ? passing : typeof state === "string" ? { ...passing, state } : state];
    }),
  ) as Record<ControlId, ControlSummary>;
  return {
    tenantId,
    lastRun: lastRun(),
    controls,
    open: 0,
    openBySeverity: { high: 0, medium: 0, low: 0 },
    accepted: 0,
    score: 100,
    changes: {},
    trend: [],
    updatedAt: NOW.toISOString(),
    ...patch,
  };
}

export function tenant(displayName: string, tenantSummary: TenantSummary | undefined, tenantId = `tid-${displayName}`): OverviewTenant {
  return { tenantId, displayName, summary: tenantSummary && { ...tenantSummary, tenantId } };
}

export function finding(patch: Partial<StoredFinding> = {}): StoredFinding {
  return {
    control: "accounts.inactive-90",
    subjectId: "user-1",
    status: "fail",
    severity: "medium",
    detail: { displayName: "Alice Admin", userPrincipalName: "alice@contoso.com", daysInactive: 120 },
    firstSeen: new Date("2026-11-01T02:00:00Z"),
    lastSeen: new Date("2026-12-05T02:00:00Z"),
    resolvedAt: null,
    lastRunId: "run-2026-12-05",
    ...patch,
  };
}

export function acceptance(patch: Partial<Acceptance> = {}): Acceptance {
  return {
    tenantId: "tid-contoso",
    control: "accounts.inactive-90",
    subjectId: "user-1",
    reason: "Seasonal worker, back in spring",
    acceptedBy: "mallory@msp.example",
    acceptedAt: new Date("2026-12-01T09:00:00Z"),
    expiresAt: new Date("2027-03-01T09:00:00Z"),
    ...patch,
  };
}

export function reportInput(patch: Partial<TenantReportInput> = {}): TenantReportInput {
  return {
    tenantId: "tid-contoso",
    displayName: "Contoso",
    summary: summary("tid-contoso"),
    findings: [],
    acceptances: [],
    lastRunEvents: [],
    exclusions: { userIds: [], groupIds: [] },
    workDone: [],
    forms: {
      csrfFieldName: "__csrf",
      csrfValue: "csrf-token-1",
      acceptAction: "risks/accept",
      revokeAction: "risks/revoke",
      maxDays: 365,
      defaultDays: 90,
    },
    notice: undefined,
    signedInAs: "mallory@msp.example",
    now: NOW,
    overviewHref: "../../reports",
    csvHref: "../../api/tenants/tid-contoso/findings.csv",
    ...patch,
  };
}
