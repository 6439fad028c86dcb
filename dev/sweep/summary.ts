import type { BaselineControl, BaselineJudgements, UnknownFields } from "../../shared/model/evidence.js";
import { CONTROL_IDS } from "../../shared/model/findings.js";
import { logText } from "../../shared/logging/log-text.js";
import type { RunReport, TenantReport } from "../../shared/sweep/report.js";

// The evidence fields the summary reads, named through their types: renaming one in
// model/evidence.ts breaks this file instead of emptying the summary.
const UNREADABLE_REASON = "reason" satisfies keyof UnknownFields;
const POLICIES_NOT_COUNTED = "policiesNotCounted" satisfies keyof BaselineJudgements[BaselineControl];

/** The human summary `npm run sweep` prints: per tenant, findings per control and what changed. */
export function formatRunReport(report: RunReport, dataLocation: string): string {
  const lines = [`Sweep ${report.runId} (as of ${report.asOf}): ${report.tenants.length} tenant(s)`, ""];
  for (const tenant of report.tenants) lines.push(...formatTenant(tenant), "");
  const totals = countByStatus(report.tenants);
  lines.push(
    `Tenants: ${Object.entries(totals)
      .map(([status, n]) => `${n} ${status}`)
      .join(", ")}`,
  );
  lines.push(`Data: ${dataLocation}`);
  return lines.join("\n");
}

function formatTenant(tenant: TenantReport): string[] {
  const head = `${tenant.displayName} (${tenant.tenantId}): ${tenant.status}, ${tenant.requestCount} Graph request(s)`;
  if (tenant.status === "failed") return [head, `  reason: ${tenant.reason ?? "not recorded"}`];
  const c = tenant.changes;
  const lines = [
    head,
    `  since the previous run: ${c.new ?? 0} new, ${c.resolved ?? 0} resolved, ${c.reopened ?? 0} reopened, ${c.changed ?? 0} changed`,
  ];
  lines.push(`  ${"control".padEnd(26)} result`);
  for (const control of CONTROL_IDS) {
    lines.push(`  ${control.padEnd(26)} ${controlResult(tenant, control)}`, ...policiesNotCounted(tenant, control));
  }
  for (const note of tenant.notes) lines.push(`  note: ${note}`);
  return lines;
}

function controlResult(tenant: TenantReport, control: string): string {
  const rows = tenant.findings.filter((f) => f.control === control);
  const tenantRow = rows.find((r) => r.subjectId === null);
  if (tenantRow) {
    const unreadable = tenantRow.detail[UNREADABLE_REASON];
    const reason = typeof unreadable === "string" ? ` (${unreadable})` : "";
    return `${tenantRow.status}${tenantRow.status === "pass" ? "" : reason}`;
  }
  const failing = rows.filter((r) => r.status === "fail").length;
  const unknown = rows.filter((r) => r.status === "unknown").length;
  if (failing + unknown === 0) return "pass";
  return [failing > 0 ? `${failing} fail` : "", unknown > 0 ? `${unknown} unknown` : ""].filter(Boolean).join(", ");
}

/**
 * Why each Conditional Access policy meant for a failing tenant-level control did not count, one
 * line per policy (display names come from the tenant: written as one safe line each).
 */
function policiesNotCounted(tenant: TenantReport, control: string): string[] {
  const row = tenant.findings.find((r) => r.control === control && r.subjectId === null && r.status === "fail");
  const policies = row?.detail[POLICIES_NOT_COUNTED];
  if (!Array.isArray(policies)) return [];
  return policies.map((policy: { displayName?: unknown; reasons?: unknown }) => {
    const reasons = Array.isArray(policy.reasons) ? policy.reasons.join("; ") : "";
    return `  ${"".padEnd(26)}   not counted: ${logText(policy.displayName)}: ${logText(reasons)}`;
  });
}

function countByStatus(tenants: readonly TenantReport[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const t of tenants) counts[t.status] = (counts[t.status] ?? 0) + 1;
  return counts;
}

/** The `--json` contract: { runId, asOf, tenants: [{ tenantId, status, findings: [...] }] }. */
export function toJsonContract(report: RunReport): unknown {
  return {
    runId: report.runId,
    asOf: report.asOf,
    tenants: report.tenants.map((t) => ({
      tenantId: t.tenantId,
      displayName: t.displayName,
      status: t.status,
      reason: t.reason,
      changes: t.changes,
      findings: t.findings.map(({ control, subjectId, status, severity, detail }) => ({ control, subjectId, status, severity, detail })),
    })),
  };
}
