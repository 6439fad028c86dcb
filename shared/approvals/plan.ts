/**
 * Which findings of a run become approval requests. planApprovals is pure; createApprovalRequests
 * reads the stores, writes the new requests and returns what the digest should list.
 */
import { createHash } from "node:crypto";
import { CONTROL_IDS, SEVERITIES } from "../model/findings.js";
import { acceptanceIndex, findingKey, type AcceptanceIndex, type StoredFinding } from "../model/stored.js";
import type { TenantRecord } from "../model/tenant.js";
import type { RemediationAction } from "../model/remediation.js";
import type { AcceptancesRepository } from "../storage/acceptances.js";
import type { ApprovalsRepository } from "../storage/approvals.js";
import type { FindingsRepository } from "../storage/findings.js";
import { assertRunId } from "../storage/keys.js";
import type { StorageOperationOptions } from "../storage/operations.js";
import { actionFor, remediationPolicy } from "../remediation/policy.js";
import type { Approval } from "../model/approval.js";

/** Requests created per tenant and run at most; the rest follow in later runs (highest severity first). */
export const DEFAULT_MAX_REQUESTS_PER_RUN = 50;
const HOUR_IN_MS = 3_600_000;

/** What each action acts on: a user, a domain, or the tenant (subjectId null). */
const SUBJECT_OF: Readonly<Record<RemediationAction, "user" | "domain" | "tenant">> = {
  "block-account": "user",
  "enforce-mfa": "user",
  "disable-user-consent": "tenant",
  "set-password-never-expire": "domain",
};

export interface PlanApprovalsInput {
  /** Stored findings; only those this run wrote count (see findingsOfRun). */
  readonly findings: readonly StoredFinding[];
  readonly tenant: TenantRecord;
  readonly runId: string;
  readonly now: Date;
  readonly ttlHours: number;
  /** The tenant's requests (at least those not yet expired at `now`). */
  readonly existing: readonly Approval[];
  /** The risk register's acceptances in force at `now`: their findings are never asked about. */
  readonly accepted: AcceptanceIndex;
  /** Default DEFAULT_MAX_REQUESTS_PER_RUN; Infinity for no cap. */
  readonly maxRequests?: number;
}

/**
 * The requests to create, most urgent first (severity, then control order, then subject). A finding
 * gets one when all of these hold:
 * - this run wrote it (lastRunId) and it is open with status `fail` (an `unknown` proves nothing);
 * - its risk is not accepted (the risk register);
 * - the tenant's policy maps it to an enabled action (actionFor);
 * - its subject fits the action (a user or domain id, or none for tenant-level actions), and a user
 *   subject is not in the tenant's excluded user ids (the control already skipped them: this is a
 *   second lock, since group exclusions cannot be resolved here);
 * - no request for the same (control, subject, action) blocks it: one that is pending, or approved
 *   and still awaiting its outcome, and not expired at `now`. Rejected, expired, and finished
 *   requests do not block: if the finding still fails, the next run asks again.
 * The approvalId hashes (tenant, control, subject, action, runId): planning the same run again
 * yields the same ids, so createIfAbsent never duplicates.
 */
export function planApprovals(input: PlanApprovalsInput): Approval[] {
  const { tenant, runId, now, ttlHours } = input;
  assertRunId(runId);
  if (!Number.isFinite(ttlHours) || ttlHours <= 0) throw new RangeError(`ttlHours must be a positive number: ${ttlHours}`);
  const maxRequests = input.maxRequests ?? DEFAULT_MAX_REQUESTS_PER_RUN;
  if (!(maxRequests >= 0)) throw new RangeError(`maxRequests must be zero or more: ${maxRequests}`);
  const policy = remediationPolicy(tenant.config);
  const excluded = new Set(tenant.config.exclusions.userIds.map((id) => id.toLowerCase()));
  const blocking = new Set(input.existing.filter((approval) => blocks(approval, now)).map(requestKey));

  const planned: Approval[] = [];
  for (const finding of [...findingsOfRun(input.findings, runId)].sort(byUrgency)) {
    if (finding.status !== "fail" || finding.resolvedAt !== null || input.accepted.has(findingKey(finding))) continue;
    const action = actionFor(finding, policy);
    if (action === undefined || !subjectFits(action, finding.subjectId)) continue;
    if (SUBJECT_OF[action] === "user" && excluded.has((finding.subjectId ?? "").toLowerCase())) continue;
    const key = requestKey({ control: finding.control, subjectId: finding.subjectId, action });
    if (blocking.has(key)) continue;
    blocking.add(key);
    planned.push(
      newApprovalRequest(
        tenant.tenantId,
        { control: finding.control, subjectId: finding.subjectId, action, evidence: finding.detail },
        runId,
        now,
        ttlHours,
      ),
    );
  }
  return planned.slice(0, maxRequests);
}

/** The findings a run evaluated and wrote (a resolution by absence writes `pass`, never `fail`). */
export function findingsOfRun(findings: readonly StoredFinding[], runId: string): StoredFinding[] {
  return findings.filter((finding) => finding.lastRunId === runId);
}

/** A pending request for `what` in run `runId`, open for `ttlHours` from `now` (sweeps and ticketing API requests). */
export function newApprovalRequest(
  tenantId: string,
  what: Pick<Approval, "control" | "subjectId" | "action" | "evidence">,
  runId: string,
  now: Date,
  ttlHours: number,
): Approval {
  return {
    tenantId,
    approvalId: approvalIdFor(tenantId, what.control, what.subjectId, what.action, runId),
    runId,
    ...what,
    createdAt: now,
    expiresAt: new Date(now.getTime() + ttlHours * HOUR_IN_MS),
    state: "pending",
    decidedBy: null,
    decidedAt: null,
    outcome: null,
    outcomeMessage: null,
    auditId: null,
    undo: null,
  };
}

/** Deterministic, key-safe (32 hex chars): the same run re-planned gives the same id. */
export function approvalIdFor(
  tenantId: string,
  control: string,
  subjectId: string | null,
  action: RemediationAction,
  runId: string,
): string {
  return createHash("sha256")
    .update(JSON.stringify([tenantId, control, subjectId, action, runId]))
    .digest("hex")
    .slice(0, 32);
}

/** Pending, or approved and waiting for its outcome, while its window lasts. */
function blocks(approval: Approval, now: Date): boolean {
  if (approval.expiresAt.getTime() <= now.getTime()) return false;
  return approval.state === "pending" || (approval.state === "approved" && approval.outcome === null);
}

function requestKey(request: Pick<Approval, "control" | "subjectId" | "action">): string {
  return JSON.stringify([request.control, request.subjectId, request.action]);
}

function subjectFits(action: RemediationAction, subjectId: string | null): boolean {
  return SUBJECT_OF[action] === "tenant" ? subjectId === null : subjectId !== null && subjectId !== "";
}

function byUrgency(a: StoredFinding, b: StoredFinding): number {
  return (
    SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
    CONTROL_IDS.indexOf(a.control) - CONTROL_IDS.indexOf(b.control) ||
    (a.subjectId ?? "").localeCompare(b.subjectId ?? "")
  );
}

export interface ApprovalPlanningDeps {
  readonly findings: FindingsRepository;
  readonly approvals: ApprovalsRepository;
  readonly acceptances: Pick<AcceptancesRepository, "listForTenant">;
}

export interface CreateApprovalRequestsOptions extends StorageOperationOptions {
  readonly ttlHours: number;
  /** Default: the system clock. */
  readonly now?: Date;
  readonly maxRequests?: number;
}

export interface ApprovalRequestsResult {
  /** Written by this call. */
  readonly created: Approval[];
  /**
   * Pending requests of this run, created now or by an earlier attempt of the same run (which may
   * have crashed before its email): what the digest lists. Most urgent first.
   */
  readonly toEmail: Approval[];
  /** Findings that qualified but exceeded maxRequests: later runs ask for them. */
  readonly deferred: number;
}

/** Plans the run's requests against the stored findings and requests, and writes the new ones. */
export async function createApprovalRequests(
  deps: ApprovalPlanningDeps,
  tenant: TenantRecord,
  runId: string,
  options: CreateApprovalRequestsOptions,
): Promise<ApprovalRequestsResult> {
  const now = options.now ?? new Date();
  const [stored, existing, register] = await Promise.all([
    deps.findings.listForTenant(tenant.tenantId, options),
    deps.approvals.listForTenant(tenant.tenantId, { ...options, unexpiredAt: now }),
    deps.acceptances.listForTenant(tenant.tenantId, options),
  ]);
  const accepted = acceptanceIndex(register.map((stored) => stored.acceptance).filter((a) => a.expiresAt > now));
  const input = { findings: findingsOfRun(stored, runId), tenant, runId, now, ttlHours: options.ttlHours, existing, accepted };
  const all = planApprovals({ ...input, maxRequests: Number.POSITIVE_INFINITY });
  // An earlier attempt of this run already used part of the run's allowance.
  const earlier = existing.filter((approval) => approval.runId === runId).length;
  const planned = all.slice(0, Math.max(0, (options.maxRequests ?? DEFAULT_MAX_REQUESTS_PER_RUN) - earlier));

  const created: Approval[] = [];
  const toEmail = new Map<string, Approval>();
  for (const approval of existing) {
    if (approval.runId === runId && approval.state === "pending") toEmail.set(approval.approvalId, approval);
  }
  for (const approval of planned) {
    const result = await deps.approvals.createIfAbsent(approval, options);
    if (result.created) created.push(result.approval);
    if (result.approval.state === "pending") toEmail.set(result.approval.approvalId, result.approval);
  }
  return { created, toEmail: sortForEmail([...toEmail.values()]), deferred: all.length - planned.length };
}

function sortForEmail(approvals: Approval[]): Approval[] {
  return approvals.sort(
    (a, b) => CONTROL_IDS.indexOf(a.control) - CONTROL_IDS.indexOf(b.control) || (a.subjectId ?? "").localeCompare(b.subjectId ?? ""),
  );
}
