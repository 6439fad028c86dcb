/**
 * Pure: a tenant's findings and acceptances → its summary (model/summary.ts). The one place that
 * decides what "open", "accepted", a control's state and the score mean for every report.
 */
import { CONTROLS } from "../controls/index.js";
import { CONTROL_IDS, SEVERITIES, type ControlId, type Severity } from "../model/findings.js";
import { acceptanceIndex, findingKey, type Acceptance, type AcceptanceIndex, type StoredFinding } from "../model/stored.js";
import { TREND_RUNS, type ControlSummary, type LastRun, type TenantSummary, type TrendPoint } from "../model/summary.js";
import { isOpenFinding } from "../model/stored.js";

/** How much a control weighs in the score, by its severity. */
const SEVERITY_WEIGHT: Readonly<Record<Severity, number>> = { high: 3, medium: 2, low: 1 };

export interface SummaryInput {
  readonly tenantId: string;
  readonly findings: readonly StoredFinding[];
  readonly acceptances: readonly Acceptance[];
  readonly lastRun: LastRun | null;
  readonly changes: Readonly<Record<string, number>>;
  readonly trend: readonly TrendPoint[];
  readonly now: Date;
}

/** Open and not accepted: what scores count, approvals ask about, and reports list as open. */
export function isActionable(finding: StoredFinding, accepted: AcceptanceIndex): boolean {
  return isOpenFinding(finding) && !accepted.has(findingKey(finding));
}

export function summarize(input: SummaryInput): TenantSummary {
  const accepted = acceptanceIndex(input.acceptances);
  const controls = Object.fromEntries(
    CONTROL_IDS.map((id) => [
      id,
      controlSummary(
        input.findings.filter((f) => f.control === id && isOpenFinding(f)),
        accepted,
      ),
    ]),
  ) as Record<ControlId, ControlSummary>;
  const open = input.findings.filter((f) => isActionable(f, accepted));
  const openBySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, open.filter((f) => f.severity === s).length])) as Record<
    Severity,
    number
  >;
  return {
    tenantId: input.tenantId,
    lastRun: input.lastRun,
    controls,
    open: open.length,
    openBySeverity,
    accepted: input.findings.filter((f) => isOpenFinding(f) && accepted.has(findingKey(f))).length,
    score: score(controls),
    changes: input.changes,
    trend: input.trend,
    updatedAt: input.now.toISOString(),
  };
}

/** A tenant with no judged scan yet (its first run failed): every control unknown, nothing counted. */
export function unjudgedSummary(tenantId: string, lastRun: LastRun, now: Date): TenantSummary {
  const unknown: ControlSummary = { state: "unknown", open: 0, accepted: 0, reason: "no scan has read the tenant yet" };
  return {
    tenantId,
    lastRun,
    controls: Object.fromEntries(CONTROL_IDS.map((id) => [id, unknown])) as Record<ControlId, ControlSummary>,
    open: 0,
    openBySeverity: { high: 0, medium: 0, low: 0 },
    accepted: 0,
    score: null,
    changes: {},
    trend: [],
    updatedAt: now.toISOString(),
  };
}

/** The trend with `point` in it (a retried run replaces its own point), the last TREND_RUNS runs. */
export function withTrendPoint(trend: readonly TrendPoint[], point: TrendPoint): TrendPoint[] {
  return [...trend.filter((p) => p.runId !== point.runId), point].sort((a, b) => a.runId.localeCompare(b.runId)).slice(-TREND_RUNS);
}

function controlSummary(open: readonly StoredFinding[], accepted: AcceptanceIndex): ControlSummary {
  const acceptedCount = open.filter((f) => accepted.has(findingKey(f))).length;
  const actionable = open.filter((f) => !accepted.has(findingKey(f)));
  const unknown = actionable.find((f) => f.status === "unknown");
  const state = actionable.some((f) => f.status === "fail") ? "fail" : unknown ? "unknown" : acceptedCount > 0 ? "accepted" : "pass";
  const reason = state === "unknown" && typeof unknown?.detail.reason === "string" ? unknown.detail.reason : null;
  return { state, open: actionable.length, accepted: acceptedCount, reason };
}

/**
 * Share of the judged controls' weight (high 3, medium 2, low 1) that passes, accepted risks counted
 * as passing (the customer decided about them); unknown controls are left out, not counted as failing.
 */
function score(controls: Readonly<Record<ControlId, ControlSummary>>): number | null {
  let judged = 0;
  let passing = 0;
  for (const control of CONTROLS) {
    const { state } = controls[control.id];
    if (state === "unknown") continue;
    judged += SEVERITY_WEIGHT[control.severity];
    if (state === "pass" || state === "accepted") passing += SEVERITY_WEIGHT[control.severity];
  }
  return judged === 0 ? null : Math.round((100 * passing) / judged);
}
