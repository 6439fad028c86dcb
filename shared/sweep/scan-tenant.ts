import { isRestError } from "@azure/core-rest-pipeline";
import type { QueueClient } from "@azure/storage-queue";
import { collectResumable, type ResumableCollectResult } from "../collect/resumable-collect.js";
import type { ScanBudget } from "../collect/scan-budget.js";
import { freshCursor, type ScanTotals } from "../collect/scan-cursor.js";
import type { ApprovalSettings } from "../config/settings.js";
import { evaluateTenant, type Evaluation } from "../controls/index.js";
import type { TenantGraph } from "../graph/client.js";
import { describeError } from "../graph/errors.js";
import type { RetryLicenseRefusalsOptions } from "../graph/license-retry.js";
import type { FindingRow } from "../model/findings.js";
import type { Source, TenantSnapshot } from "../model/snapshot.js";
import type { LastRun } from "../model/summary.js";
import { unregisteredTenant, type TenantConfig, type TenantRecord } from "../model/tenant.js";
import { checkBeforeScan } from "../onboarding/first-sweep.js";
import type { OnboardingDeps } from "../onboarding/run.js";
import type { SendApprovalsMessage } from "../queue/approvals-message.js";
import type { NotifyEventsMessage } from "../queue/notify-message.js";
import { enqueueAll } from "../queue/queue-client.js";
import type { ScanMessage } from "../queue/scan-message.js";
import { saveReconciliation, type ReconciliationStores } from "../reconcile/persist.js";
import {
  countEvents,
  expiryEvents,
  readRiskRegister,
  recordFailedScan,
  recordJudgedScan,
  type ScanSummaryDeps,
} from "../reports/scan-summary.js";
import { findingsAfter, reconcile } from "../reconcile/reconcile.js";
import type { ScanCheckpointsRepository } from "../storage/checkpoints.js";
import type { FindingsRepository } from "../storage/findings.js";
import type { RunsRepository, TenantRunOutcome, TenantRunTransition } from "../storage/runs.js";
import { CheckpointWriter } from "./checkpoint-writer.js";
import { beginScan, type DeliveryGateDeps, type ScanStart } from "./delivery-gate.js";
import { sendFollowUp } from "./follow-up.js";

/** What scanning a tenant uses (shared/app/wiring.ts builds it from the app's settings). */
export interface ScanTenantDeps extends DeliveryGateDeps, OnboardingDeps, ReconciliationStores, ScanSummaryDeps {
  readonly runs: Pick<RunsRepository, "startTenantRun" | "getTenantRun" | "finishTenantRun">;
  readonly checkpoints: Pick<ScanCheckpointsRepository, "load" | "save" | "readChunks" | "delete">;
  readonly findings: Pick<FindingsRepository, "listForTenant" | "applyChanges">;
  /** A Graph client for one tenant, with fresh call counters. */
  graphFor(tenantId: string): TenantGraph;
  /** When an invocation that starts now must stop collecting and hand over (SCAN_TIME_BUDGET_SECONDS). */
  scanBudget(): ScanBudget;
  /** How Graph's licence 403 is asked again (its backoff scaled like the Graph client's). */
  readonly licenseRetry: RetryLicenseRefusalsOptions;
  /** Set when approvals are configured: each finished scan then asks send-approvals for its tenant's digest. */
  readonly approvalSettings: ApprovalSettings | undefined;
  readonly sendApprovalsQueue: QueueClient;
  /** Every ended run (completed, partial or failed) asks notify-events to tell the tenant's sinks. */
  readonly notifyEventsQueue: QueueClient;
}

export interface ScanTenantOptions {
  /** Human-readable progress lines. */
  readonly onProgress?: (message: string) => void;
}

export type ScanTenantResult =
  /** The scan ran to its end (or was recorded as failed); the message is done. */
  | { readonly outcome: "finished"; readonly transition: TenantRunTransition }
  /** A duplicate or late message for a tenant another worker finished or holds. */
  | { readonly outcome: "skipped"; readonly transition: TenantRunTransition }
  /** Collection stopped before the host's timeout; follow-up message `chain` continues it (collect/resumable-collect.ts). */
  | { readonly outcome: "continued"; readonly chain: number };

/**
 * Scans one tenant in one run: collect → evaluate → reconcile → persist. A tenant that cannot be
 * read (credentials, permissions, Graph down after retries) is recorded as failed with the reason
 * and the message completes, so one tenant never stalls the others. Storage failures propagate:
 * the queue retries the message, and after the last attempt it lands in the poison queue.
 */
export async function scanTenant(deps: ScanTenantDeps, message: ScanMessage, options: ScanTenantOptions = {}): Promise<ScanTenantResult> {
  const budget = deps.scanBudget();
  const delivery = await beginScan(deps, message);
  if (delivery.kind === "handed-over") return { outcome: "continued", chain: delivery.chain };
  if (delivery.kind === "skipped") return { outcome: "skipped", transition: delivery.transition };
  const scan = await prepareScan(deps, message, delivery.start, options);
  const judged = await collectAndJudge(deps, scan, { start: delivery.start, budget, ...options });
  return "outcome" in judged ? judged : persistFindings(deps, scan, judged);
}

/** One delivery that collects: the tenant as registered, its Graph client and the scan's checkpoint. */
interface TenantScan {
  readonly message: ScanMessage;
  readonly tenant: TenantRecord;
  readonly graph: TenantGraph;
  readonly checkpoint: CheckpointWriter;
  /** What the onboarding check before the tenant's first sweep found, for the run's notes. */
  readonly onboarding: string | undefined;
}

type CollectingStart = Extract<ScanStart, { kind: "fresh" | "resume" }>;

async function prepareScan(
  deps: ScanTenantDeps,
  message: ScanMessage,
  start: CollectingStart,
  options: ScanTenantOptions,
): Promise<TenantScan> {
  const { tenantId } = message;
  const record = await deps.tenants.get(tenantId);
  // A new tenant (no stored onboarding check) is checked first, where its scan begins; the check never
  // stops the scan, which reports what it can (shared/onboarding/first-sweep.ts). It stores only the
  // readiness column, so the record read above still holds the tenant's config.
  const onboarding =
    start.kind === "fresh" && (message.continuation ?? 0) === 0
      ? await checkBeforeScan(deps, tenantId, record, options.onProgress)
      : undefined;
  const tenant = record ?? unregisteredTenant(tenantId);
  const graph = deps.graphFor(tenantId);
  const checkpoint = new CheckpointWriter(deps.checkpoints, message, start.kind === "resume" ? start.checkpoint : undefined);
  return { message, tenant, graph, checkpoint, onboarding };
}

/** What the snapshot says, once the snapshot itself (a huge tenant's users) is no longer held. */
type Judgement =
  | { readonly kind: "unreadable"; readonly reason: string; readonly totals: ScanTotals }
  | {
      readonly kind: "judged";
      readonly evaluation: Evaluation;
      readonly unread: readonly UnreadSource[];
      readonly totals: ScanTotals;
      readonly usersRead: number;
    };

/**
 * Collects from where the delivery starts and judges the snapshot, or ends the delivery: paused at
 * the budget (the follow-up is sent), lost to another delivery, or the tenant could not be read.
 */
async function collectAndJudge(
  deps: ScanTenantDeps,
  scan: TenantScan,
  options: ScanTenantOptions & { readonly start: CollectingStart; readonly budget: ScanBudget },
): Promise<ScanTenantResult | Judgement> {
  const { message, graph, checkpoint, tenant, onboarding } = scan;
  const { runId, tenantId } = message;
  let collected: ResumableCollectResult;
  try {
    collected = await collectResumable({
      graph,
      tenantId,
      config: tenant.config,
      from: options.start.kind === "resume" ? options.start.checkpoint.cursor : freshCursor(message.continuation ?? 0, new Date()),
      resuming: options.start.kind === "resume",
      checkpoint,
      budget: options.budget,
      licenseRetry: deps.licenseRetry,
      onProgress: options.onProgress,
    });
  } catch (e) {
    if (isRestError(e)) throw e; // storage, not the tenant: the queue retries
    const failed = {
      status: "failed",
      reason: describeError(e),
      ...(onboarding ? { notes: [onboarding] } : {}),
      requestCount: graph.stats.requests,
    } as const;
    await recordFailedScan(deps, tenantId, lastRunOf(message, failed));
    await askForNotifications(deps, scan.message);
    const transition = await deps.runs.finishTenantRun(runId, tenantId, failed);
    await deps.checkpoints.delete(runId, tenantId);
    return { outcome: "finished", transition };
  }
  switch (collected.outcome) {
    case "paused":
      await sendFollowUp(deps, message, collected.chain);
      options.onProgress?.(`time budget reached after ${collected.pagesRead} page(s): continuing in follow-up ${collected.chain}`);
      return { outcome: "continued", chain: collected.chain };
    case "lost-race":
      return { outcome: "skipped", transition: { outcome: "conflict", run: await deps.runs.getTenantRun(runId, tenantId) } };
    case "collected":
      return judge(collected, tenant.config, new Date(message.asOf));
  }
}

function judge(collected: Extract<ResumableCollectResult, { outcome: "collected" }>, config: TenantConfig, asOf: Date): Judgement {
  const { snapshot, totals, usersRead } = collected;
  const unread = unreadSources(snapshot);
  if (unread.length === sourceCount(snapshot))
    return { kind: "unreadable", reason: `Nothing could be read from Graph: ${unread[0]?.message ?? "no sources"}`, totals };
  return { kind: "judged", evaluation: evaluateTenant(snapshot, config, asOf), unread, totals, usersRead };
}

/**
 * Reconciles and writes what the scan found (with the acceptances that expired by the run's
 * instant), rewrites the tenant's summary, asks for the approval digest, and ends the tenant's run.
 */
async function persistFindings(deps: ScanTenantDeps, scan: TenantScan, judgement: Judgement): Promise<ScanTenantResult> {
  const { runId, tenantId } = scan.message;
  const before = scan.onboarding ? [scan.onboarding] : [];
  if (judgement.kind === "unreadable") {
    const failed = { status: "failed", reason: judgement.reason, requestCount: judgement.totals.requests } as const;
    await recordFailedScan(deps, tenantId, lastRunOf(scan.message, failed));
    return endRun(deps, scan, { ...failed, ...(before.length > 0 ? { notes: before } : {}) });
  }
  const { evaluation, unread, totals, usersRead } = judgement;
  const asOf = new Date(scan.message.asOf);
  const status = unread.some((s) => !s.expected) ? "partial" : "completed";
  const stored = await deps.findings.listForTenant(tenantId);
  const changes = reconcile({ tenantId, runId, asOf, stored, rows: evaluation.rows, scanComplete: status === "completed" });
  const findings = findingsAfter(stored, changes.upserts);
  const register = await readRiskRegister(deps, tenantId, asOf);
  const events = [...changes.events, ...expiryEvents(register, findings, runId, asOf)];
  const tableTransactions = await saveReconciliation(deps, tenantId, { ...changes, events });
  await recordJudgedScan(deps, { tenantId, register, findings, events, lastRun: lastRunOf(scan.message, { status, reason: null }) });
  // Before the run is marked finished: if this enqueue fails, the retried scan enqueues again.
  if (deps.approvalSettings) await enqueueAll(deps.sendApprovalsQueue, [{ runId, tenantId } satisfies SendApprovalsMessage]);
  return endRun(deps, scan, {
    status,
    notes: [...before, ...evaluation.notes, ...unread.map((s) => `Could not read ${s.name} (${s.reason}): ${s.message}`)],
    counts: { ...countStatuses(evaluation.rows), ...countEvents(events), ...scaleCounts(usersRead, totals, tableTransactions) },
    requestCount: totals.requests,
  });
}

/** The summary's account of the run, as it ends now. */
function lastRunOf(message: ScanMessage, outcome: { readonly status: LastRun["status"]; readonly reason: string | null }): LastRun {
  return { runId: message.runId, status: outcome.status, reason: outcome.reason, asOf: message.asOf, finishedAt: new Date().toISOString() };
}

/**
 * Records how the scan ended, then deletes its checkpoint, no longer needed. The notify-events
 * message goes first: if the enqueue fails, the retried scan sends it again; notify-events waits
 * (retries) until the run's end is written.
 */
async function endRun(deps: ScanTenantDeps, scan: TenantScan, outcome: TenantRunOutcome): Promise<ScanTenantResult> {
  const { runId, tenantId } = scan.message;
  await askForNotifications(deps, scan.message);
  const transition = await deps.runs.finishTenantRun(runId, tenantId, outcome);
  if (scan.checkpoint.saved) await deps.checkpoints.delete(runId, tenantId);
  return { outcome: "finished", transition };
}

/** One notify-events message for the tenant's run: its events go to the sinks off the scan's path. */
export async function askForNotifications(deps: Pick<ScanTenantDeps, "notifyEventsQueue">, message: ScanMessage): Promise<void> {
  const { runId, tenantId } = message;
  await enqueueAll(deps.notifyEventsQueue, [{ runId, tenantId } satisfies NotifyEventsMessage]);
}

/** What the scan cost over all its invocations (startSweep orders the next run's fan-out by `users`). */
function scaleCounts(users: number, totals: ScanTotals, tableTransactions: number): Record<string, number> {
  const { throttled, invocations, checkpointTransactions } = totals;
  return { users, throttled, invocations, tableTransactions, checkpointTransactions };
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
