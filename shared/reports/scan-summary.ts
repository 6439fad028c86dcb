/**
 * What a scan does for the reports, at its end: the acceptances that expired by the run's instant
 * become `acceptance-expired` events of the run (written with its other events, before the findings)
 * and are then cleared, and the tenant's summary row is rewritten. Every step is safe to repeat: a
 * retried scan derives the same events (same keys) and the same summary.
 */
import { findingKey, type FindingEvent, type StoredFinding } from "../model/stored.js";
import type { LastRun } from "../model/summary.js";
import type { AcceptancesRepository, StoredAcceptance } from "../storage/acceptances.js";
import type { SummariesRepository } from "../storage/summaries.js";
import { summarize, unjudgedSummary, withTrendPoint } from "./summary.js";

export interface ScanSummaryDeps {
  readonly acceptances: Pick<AcceptancesRepository, "listForTenant" | "remove">;
  readonly summaries: Pick<SummariesRepository, "get" | "put">;
}

/** The tenant's acceptances at a run's instant: those in force, and those that ran out by then. */
export interface RiskRegister {
  readonly inForce: readonly StoredAcceptance[];
  readonly expired: readonly StoredAcceptance[];
}

export async function readRiskRegister(deps: ScanSummaryDeps, tenantId: string, asOf: Date): Promise<RiskRegister> {
  const all = await deps.acceptances.listForTenant(tenantId);
  return {
    inForce: all.filter((a) => a.acceptance.expiresAt > asOf),
    expired: all.filter((a) => a.acceptance.expiresAt <= asOf),
  };
}

/** One `acceptance-expired` event per expired acceptance, in the run that saw it expire. */
export function expiryEvents(register: RiskRegister, findings: readonly StoredFinding[], runId: string, asOf: Date): FindingEvent[] {
  const status = new Map(findings.map((f) => [findingKey(f), f.status]));
  return register.expired.map(({ acceptance }) => {
    const statusNow = status.get(findingKey(acceptance)) ?? "pass";
    return {
      runId,
      control: acceptance.control,
      subjectId: acceptance.subjectId,
      event: "acceptance-expired",
      statusBefore: statusNow,
      statusAfter: statusNow,
      at: asOf,
      acceptance: { by: acceptance.acceptedBy, reason: acceptance.reason, expiresAt: acceptance.expiresAt },
    };
  });
}

/**
 * After the events are written: clears the expired acceptances (each only if unchanged since it was
 * read: one accepted anew meanwhile stays) and rewrites the summary.
 */
export async function recordJudgedScan(
  deps: ScanSummaryDeps,
  scan: {
    readonly tenantId: string;
    readonly register: RiskRegister;
    readonly findings: readonly StoredFinding[];
    readonly events: readonly FindingEvent[];
    readonly lastRun: LastRun;
  },
): Promise<void> {
  const { tenantId, register, lastRun } = scan;
  for (const expired of register.expired) await deps.acceptances.remove(tenantId, expired);
  const previous = await deps.summaries.get(tenantId);
  const now = new Date();
  const acceptances = register.inForce.map((a) => a.acceptance);
  const judged = summarize({ tenantId, findings: scan.findings, acceptances, lastRun, changes: countEvents(scan.events), trend: [], now });
  const trend = withTrendPoint(previous?.trend ?? [], { runId: lastRun.runId, asOf: lastRun.asOf, open: judged.open });
  await deps.summaries.put({ ...judged, trend });
}

/** A run that could not read the tenant: the last judged state stays, the last run says it failed. */
export async function recordFailedScan(deps: ScanSummaryDeps, tenantId: string, lastRun: LastRun): Promise<void> {
  const previous = await deps.summaries.get(tenantId);
  const now = new Date();
  await deps.summaries.put(previous ? { ...previous, lastRun, updatedAt: now.toISOString() } : unjudgedSummary(tenantId, lastRun, now));
}

/** How many events of each kind (the status kinds always present, so "0 new" reads as such). */
export function countEvents(events: readonly { readonly event: string }[]): Record<string, number> {
  const counts: Record<string, number> = { new: 0, resolved: 0, reopened: 0, changed: 0 };
  for (const e of events) counts[e.event] = (counts[e.event] ?? 0) + 1;
  return counts;
}
