import { isRestError } from "@azure/core-rest-pipeline";
import { evaluateTenant } from "../controls/index.js";
import type { TenantGraph } from "../graph/client.js";
import { describeError } from "../graph/errors.js";
import type { FindingRow } from "../model/findings.js";
import type { Source, TenantSnapshot } from "../model/snapshot.js";
import type { SendApprovalsMessage } from "../queue/approvals-message.js";
import { enqueueAll } from "../queue/queue-client.js";
import type { ScanMessage } from "../queue/scan-message.js";
import { reconcile } from "../reconcile/reconcile.js";
import { saveReconciliation } from "../reconcile/persist.js";
import type { TenantRunTransition } from "../storage/runs.js";
import { checkBeforeScan } from "../onboarding/first-sweep.js";
import { countEvents } from "./report.js";
import { beginScan, collectResumable, type ResumableCollectResult, type ScanTotals } from "./resumable-collect.js";
import { tenantOrDefault, type SweepServices } from "./services.js";

export interface ScanTenantOptions {
  /** Human-readable progress lines. */
  readonly onProgress?: (message: string) => void;
}

export type ScanTenantResult =
  /** The scan ran to its end (or was recorded as failed); the message is done. */
  | { readonly outcome: "finished"; readonly transition: TenantRunTransition }
  /** A duplicate or late message for a tenant another worker finished or holds. */
  | { readonly outcome: "skipped"; readonly transition: TenantRunTransition }
  /** Collection stopped before the host's timeout; follow-up message `chain` continues it (resumable-collect.ts). */
  | { readonly outcome: "continued"; readonly chain: number };

/**
 * Scans one tenant in one run: collect → evaluate → reconcile → persist. A tenant that cannot be
 * read (credentials, permissions, Graph down after retries) is recorded as failed with the reason
 * and the message completes, so one tenant never stalls the others. Storage failures propagate:
 * the queue retries the message, and after the last attempt it lands in the poison queue.
 */
export async function scanTenant(services: SweepServices, message: ScanMessage, options: ScanTenantOptions = {}): Promise<ScanTenantResult> {
  const { runId, tenantId } = message;
  const budget = services.scanBudget();
  const begun = await beginScan(services, message);
  if (begun.kind === "done") return begun.result;

  // A new tenant (no stored onboarding check) is checked first, where its scan begins; the check never
  // stops the scan, which reports what it can (shared/onboarding/first-sweep.ts).
  const onboarding = begun.start.kind === "fresh" && (message.continuation ?? 0) === 0 ? await checkBeforeScan(services, tenantId, options.onProgress) : undefined;
  const tenant = await tenantOrDefault(services, tenantId);
  const graph = services.graphFor(tenantId);
  let collected: ResumableCollectResult | undefined;
  try {
    collected = await collectResumable(services, graph, message, tenant.config, begun.start, { budget, onProgress: options.onProgress });
  } catch (e) {
    if (isRestError(e)) throw e; // storage, not the tenant: the queue retries
    const transition = await services.runs.finishTenantRun(runId, tenantId, {
      status: "failed",
      reason: describeError(e),
      ...(onboarding ? { notes: [onboarding] } : {}),
      requestCount: graph.stats.requests,
    });
    await services.checkpoints.delete(runId, tenantId);
    return { outcome: "finished", transition };
  }
  if (collected.outcome === "continued") return { outcome: "continued", chain: collected.chain };
  if (collected.outcome === "lost-race") {
    return { outcome: "skipped", transition: { outcome: "conflict", run: await services.runs.getTenantRun(runId, tenantId) } };
  }
  const { checkpointed, usersRead } = collected;
  const totals = withThisInvocation(collected.previous, graph);

  const unread = unreadSources(collected.snapshot);
  if (unread.length === sourceCount(collected.snapshot)) {
    const transition = await services.runs.finishTenantRun(runId, tenantId, {
      status: "failed",
      reason: `Nothing could be read from Graph: ${unread[0]?.message ?? "no sources"}`,
      ...(onboarding ? { notes: [onboarding] } : {}),
      requestCount: totals.requests,
    });
    if (checkpointed) await services.checkpoints.delete(runId, tenantId);
    return { outcome: "finished", transition };
  }

  const asOf = new Date(message.asOf);
  const evaluation = evaluateTenant(collected.snapshot, tenant.config, asOf);
  collected = undefined; // the snapshot (a huge tenant's users) need not stay in memory while findings are written
  const status = unread.some((s) => !s.expected) ? "partial" : "completed";
  const stored = await services.findings.listForTenant(tenantId);
  const changes = reconcile({ tenantId, runId, asOf, stored, rows: evaluation.rows, scanComplete: status === "completed" });
  const tableTransactions = await saveReconciliation(services, tenantId, changes);
  // Before the run is marked finished: if this enqueue fails, the retried scan enqueues again.
  if (services.settings.approvals) await enqueueAll(services.sendApprovalsQueue, [{ runId, tenantId } satisfies SendApprovalsMessage]);

  const transition = await services.runs.finishTenantRun(runId, tenantId, {
    status,
    notes: [...(onboarding ? [onboarding] : []), ...evaluation.notes, ...unread.map((s) => `Could not read ${s.name} (${s.reason}): ${s.message}`)],
    counts: { ...countStatuses(evaluation.rows), ...countEvents(changes.events), ...scaleCounts(usersRead, totals, tableTransactions) },
    requestCount: totals.requests,
  });
  if (checkpointed) await services.checkpoints.delete(runId, tenantId);
  return { outcome: "finished", transition };
}

/** What the scan cost over all its invocations (startSweep orders the next run's fan-out by `users`). */
function scaleCounts(users: number, totals: ScanTotals, tableTransactions: number): Record<string, number> {
  const { throttled, invocations, checkpointTransactions } = totals;
  return { users, throttled, invocations, tableTransactions, checkpointTransactions };
}

function withThisInvocation(previous: ScanTotals, graph: TenantGraph): ScanTotals {
  return {
    ...previous,
    requests: previous.requests + graph.stats.requests,
    throttled: previous.throttled + graph.stats.throttled,
    pacedInMs: previous.pacedInMs + graph.stats.pacedInMs,
  };
}

interface UnreadSource {
  readonly name: string;
  readonly reason: string;
  readonly message: string;
  /**
   * A gap that leaves the run complete: a licence the tenant lacks, or sign-in activity refused
   * (licence or permission) while users were listed without it. It is noted, and the controls
   * that need it are `unknown` at tenant level, which already keeps their findings from being
   * resolved by absence.
   */
  readonly expected: boolean;
}

const SIGN_IN_ACTIVITY = "sign-in activity";

/** Every source that failed, group member lists and per-admin MFA reads included. */
function unreadSources(snapshot: TenantSnapshot): UnreadSource[] {
  return namedSources(snapshot).flatMap(([name, s]) => {
    if (s.ok) return [];
    const expected = s.reason === "license" || (name === SIGN_IN_ACTIVITY && snapshot.users.ok);
    return [{ name, reason: s.reason, message: s.message, expected }];
  });
}

function sourceCount(snapshot: TenantSnapshot): number {
  return namedSources(snapshot).length;
}

function namedSources(snapshot: TenantSnapshot): [string, Source<unknown>][] {
  return [
    ["users", snapshot.users],
    [SIGN_IN_ACTIVITY, snapshot.signInActivity],
    ["MFA registration report", snapshot.registrationDetails],
    ["role assignments", snapshot.roleAssignments],
    ["PIM eligible assignments", snapshot.roleEligibility],
    ["security defaults", snapshot.securityDefaults],
    ["Conditional Access policies", snapshot.conditionalAccessPolicies],
    ["authorization policy", snapshot.authorizationPolicy],
    ["domains", snapshot.domains],
    ...Object.entries(snapshot.groupMembers).map(([id, s]): [string, Source<unknown>] => [`members of group ${id}`, s]),
    ...Object.entries(snapshot.perUserMfa).map(([id, s]): [string, Source<unknown>] => [`per-user MFA state of ${id}`, s]),
  ];
}

function countStatuses(rows: readonly FindingRow[]): Record<string, number> {
  const counts: Record<string, number> = { fail: 0, unknown: 0, pass: 0 };
  for (const row of rows) counts[row.status] = (counts[row.status] ?? 0) + 1;
  return counts;
}
