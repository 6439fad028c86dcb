import { CONTROL_IDS, type ControlId, type FindingDetail, type FindingStatus, type Severity } from "../model/findings.js";
import type { StoredFinding } from "../model/stored.js";
import { isOpenStatus } from "../model/stored.js";
import { countEvents } from "../reports/scan-summary.js";
import type { FindingEventsRepository } from "../storage/findingEvents.js";
import type { FindingsRepository } from "../storage/findings.js";
import type { RunsRepository, TenantRunStatus } from "../storage/runs.js";
import type { TenantsRepository } from "../storage/tenants.js";

/** What one run found, read back from Table Storage: the CLI prints it, `--json` writes it. */
export interface RunReport {
  readonly runId: string;
  readonly asOf: string;
  readonly tenants: readonly TenantReport[];
}

export interface TenantReport {
  readonly tenantId: string;
  readonly displayName: string;
  readonly status: TenantRunStatus;
  readonly reason: string | null;
  readonly notes: readonly string[];
  readonly requestCount: number;
  /** Tenant-level rows of every control, and per-subject rows that fail or are unknown. */
  readonly findings: readonly ReportedFinding[];
  /** Changes against the previous run: new, resolved, reopened, changed. */
  readonly changes: Readonly<Record<string, number>>;
}

export interface ReportedFinding {
  readonly control: ControlId;
  readonly subjectId: string | null;
  readonly status: FindingStatus;
  readonly severity: Severity;
  readonly detail: FindingDetail;
}

export interface RunReportDeps {
  readonly runs: Pick<RunsRepository, "getRun" | "listTenantRuns">;
  readonly tenants: Pick<TenantsRepository, "get">;
  readonly findings: Pick<FindingsRepository, "listForTenant">;
  readonly events: Pick<FindingEventsRepository, "listForRun">;
}

export async function buildRunReport(deps: RunReportDeps, runId: string): Promise<RunReport> {
  const header = await deps.runs.getRun(runId);
  if (!header) throw new RangeError(`No run ${runId} in the Runs table`);
  const runs = await deps.runs.listTenantRuns(runId);
  const tenants = await Promise.all(
    runs.map(async (run): Promise<TenantReport> => {
      const [tenant, stored, events] = await Promise.all([
        deps.tenants.get(run.tenantId),
        run.status === "failed" ? Promise.resolve([]) : deps.findings.listForTenant(run.tenantId),
        deps.events.listForRun(run.tenantId, runId),
      ]);
      return {
        tenantId: run.tenantId,
        displayName: tenant?.displayName ?? run.tenantId,
        status: run.status,
        reason: run.reason,
        notes: run.notes,
        requestCount: run.requestCount,
        findings: findingsOfRun(stored, runId, header.asOf),
        changes: countEvents(events),
      };
    }),
  );
  return { runId, asOf: header.asOf.toISOString(), tenants: tenants.sort((a, b) => a.displayName.localeCompare(b.displayName)) };
}

/**
 * The rows this run evaluated: written by it and seen at its asOf. That leaves out findings it
 * resolved by absence and older findings a partial scan could not re-check.
 */
function findingsOfRun(stored: readonly StoredFinding[], runId: string, asOf: Date): ReportedFinding[] {
  return stored
    .filter((f) => f.lastRunId === runId && f.lastSeen.getTime() === asOf.getTime())
    .filter((f) => f.subjectId === null || isOpenStatus(f.status))
    .sort((a, b) => CONTROL_IDS.indexOf(a.control) - CONTROL_IDS.indexOf(b.control) || (a.subjectId ?? "").localeCompare(b.subjectId ?? ""))
    .map(({ control, subjectId, status, severity, detail }) => ({ control, subjectId, status, severity, detail }));
}
