/**
 * The ticketing API's requests (version 2), apart from HTTP: submit, read, list and undo, each
 * idempotent through storage, never through memory (several instances answer the same caller).
 *
 * submit: the request id is derived from (tenant, ticket, action, subject), so a retry, a duplicate
 * webhook or twenty racing calls name one row; the insert that creates it (409 for every other)
 * makes its caller the owner, who alone runs the guarded path (or asks the approvers); the others
 * poll the row until it settles and answer what it holds. An owner that died leaves a `running`
 * row: after the lease time a retry takes it over (ETag-conditional) and runs the guarded path
 * again, which re-judges the subject: if the first attempt had acted, the second ends `stale`.
 * undo: the same, on the request's `undo` field, claimed with an ETag-conditional write.
 */
import { createHash } from "node:crypto";
import type { ApprovalSettings } from "../config/settings.js";
import type { TenantGraph } from "../graph/client.js";
import { OUTCOME_STATE, type ApiRemediation, type ApiRemediationInput } from "../model/api-remediation.js";
import type { Approval } from "../model/approval.js";
import type { RemediationResult } from "../model/remediation.js";
import type { TenantRecord } from "../model/tenant.js";
import { remediate, undo, type RemediationDeps, type RemediationLog } from "../remediation/remediate.js";
import { remediationPolicy } from "../remediation/policy.js";
import type { ApprovalsRepository } from "../storage/approvals.js";
import type { AuditEntry, AuditRepository } from "../storage/audit.js";
import { runIdAt } from "../storage/keys.js";
import { requestIdFor, type RemediationRequestsRepository, type Versioned } from "../storage/remediation-requests.js";
import { DEFAULT_LEASE_DURATION_MS } from "../storage/tenant-leases.js";
import type { TenantsRepository } from "../storage/tenants.js";
import { approvalLink, approverAddresses, renderDigest, sendDigest } from "./digest.js";
import { newApprovalRequest } from "./plan.js";
import { ApprovalTokenSigner } from "./tokens.js";

export interface ApiRequestsDeps {
  readonly remediationRequests: RemediationRequestsRepository;
  readonly tenants: Pick<TenantsRepository, "get">;
  readonly approvals: Pick<ApprovalsRepository, "createIfAbsent" | "get">;
  readonly audit: Pick<AuditRepository, "get">;
  /** Undefined when approvals are not configured: a request that needs an approval is refused. */
  readonly approvalSettings: ApprovalSettings | undefined;
  remediationFor(tenant: TenantRecord, log?: RemediationLog): RemediationDeps;
  graphFor(tenantId: string): TenantGraph;
  /** A `running` row older than this has lost its owner. Default: the remediation lease's duration. */
  readonly ownerTimeoutInMs?: number;
  /** How long a caller that lost the race waits for the owner's answer. Default 90 s (a lease wait and an action). */
  readonly waitInMs?: number;
}

export type SubmitResult =
  | { readonly kind: "request"; readonly request: ApiRemediation }
  | { readonly kind: "unknown-tenant" }
  /** The Idempotency-Key was first used with another body. */
  | { readonly kind: "key-reused"; readonly requestId: string }
  /** The tenant's policy wants an approval, and none can be asked for (named). */
  | { readonly kind: "cannot-ask-approval"; readonly why: string };

export type UndoResult =
  | { readonly kind: "request"; readonly request: ApiRemediation }
  | { readonly kind: "not-found" }
  /** Only a request whose action is done can be undone. */
  | { readonly kind: "not-undoable"; readonly request: ApiRemediation };

export interface Caller {
  /** The caller app's id (its token's azp/appid). */
  readonly id: string;
  readonly log?: RemediationLog;
}

const POLL_FIRST_MS = 50;
const POLL_MAX_MS = 1_000;
const DEFAULT_WAIT_MS = 90_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** POST /api/remediations: the request, created and run (or sent to the approvers) once. */
export async function submitRequest(
  deps: ApiRequestsDeps,
  caller: Caller,
  input: ApiRemediationInput,
  idempotencyKey: string | undefined,
): Promise<SubmitResult> {
  const tenant = await deps.tenants.get(input.tenantId);
  if (!tenant) return { kind: "unknown-tenant" };
  const now = new Date();
  const id = requestIdFor(input);
  if (idempotencyKey !== undefined) {
    const fingerprint = bodyFingerprint(input);
    const first = await deps.remediationRequests.useIdempotencyKey(caller.id, idempotencyKey, {
      tenantId: tenant.tenantId,
      requestId: id,
      fingerprint,
    });
    if (first.fingerprint !== fingerprint) return { kind: "key-reused", requestId: first.requestId };
  }
  const fresh: ApiRemediation = {
    ...input,
    tenantId: tenant.tenantId,
    id,
    callerId: caller.id,
    state: "running",
    createdAt: now,
    updatedAt: now,
    approvalId: null,
    result: null,
    undo: null,
  };
  const unaskable = remediationPolicy(tenant.config).apiRunsWithoutApproval ? undefined : whyApproversCannotBeAsked(deps, tenant);
  if (unaskable !== undefined) return { kind: "cannot-ask-approval", why: unaskable };
  const stored = await deps.remediationRequests.create(fresh);
  const request = await drive(deps, stored, submitStep(deps, tenant, caller), stored.created);
  return { kind: "request", request: await followApproval(deps, request) };
}

/** GET /api/remediations/{id}: the request as it stands (a decided approval moves it first). */
export async function readRequest(deps: ApiRequestsDeps, tenantId: string, id: string): Promise<ApiRemediation | undefined> {
  const stored = await deps.remediationRequests.get(tenantId, id);
  return stored && followApproval(deps, stored.value, stored.etag);
}

/** POST /api/remediations/{id}/undo: the undo runs once, whoever asks and however often. */
export async function undoRequest(
  deps: ApiRequestsDeps,
  caller: Caller,
  tenantId: string,
  id: string,
  requestedBy: string,
): Promise<UndoResult> {
  const stored = await deps.remediationRequests.get(tenantId, id);
  if (!stored) return { kind: "not-found" };
  const current = await followApproval(deps, stored.value, stored.etag);
  if (current.undo === null && current.state !== "done") return { kind: "not-undoable", request: current };
  const fresh = await deps.remediationRequests.get(tenantId, id);
  if (!fresh) return { kind: "not-found" };
  return { kind: "request", request: await drive(deps, fresh, undoStep(deps, caller, requestedBy), false) };
}

/** One transition of a request that exactly one caller runs: when it may be claimed, and what it does. */
interface Step {
  /** settled: nothing to do; claimable: free to take (never taken, or its owner died); running: someone owns it. */
  phase(request: ApiRemediation, now: Date): "settled" | "claimable" | "running";
  claim(request: ApiRemediation, now: Date): ApiRemediation;
  /** Runs the transition; the row it returns replaces the claimed one. */
  act(request: ApiRemediation): Promise<ApiRemediation>;
}

/**
 * Runs `step` if this caller owns it or can claim it, else waits (bounded) for its owner: the row
 * as it ends up. Every write is conditional on the ETag read, so of any number of callers exactly
 * one acts per claim; an owner that outlived its claim (taken over) answers with its successor's row.
 */
async function drive(deps: ApiRequestsDeps, start: Versioned<ApiRemediation>, step: Step, owned: boolean): Promise<ApiRemediation> {
  const deadline = Date.now() + (deps.waitInMs ?? DEFAULT_WAIT_MS);
  let current = start;
  let mine = owned;
  for (let poll = POLL_FIRST_MS; ; poll = Math.min(poll * 2, POLL_MAX_MS)) {
    if (mine) {
      const ended = await step.act(current.value);
      if ((await deps.remediationRequests.replace(ended, current.etag)) !== undefined) return ended;
      mine = false;
    } else {
      const now = new Date();
      const phase = step.phase(current.value, now);
      if (phase === "settled") return current.value;
      if (phase === "claimable") {
        const claimed = step.claim(current.value, now);
        const etag = await deps.remediationRequests.replace(claimed, current.etag);
        if (etag !== undefined) {
          current = { value: claimed, etag };
          mine = true;
          continue;
        }
      } else if (Date.now() >= deadline) {
        return current.value;
      } else {
        await sleep(poll);
      }
    }
    const reread = await deps.remediationRequests.get(current.value.tenantId, current.value.id);
    if (!reread) throw new Error(`Remediation request ${current.value.id} disappeared while it ran`);
    current = reread;
  }
}

function ownerGone(deps: ApiRequestsDeps, since: Date, now: Date): boolean {
  return now.getTime() - since.getTime() > (deps.ownerTimeoutInMs ?? DEFAULT_LEASE_DURATION_MS);
}

/** The request's own action: run now, or ask the approvers, as the tenant's policy says. */
function submitStep(deps: ApiRequestsDeps, tenant: TenantRecord, caller: Caller): Step {
  return {
    phase: (request, now) => (request.state !== "running" ? "settled" : ownerGone(deps, request.updatedAt, now) ? "claimable" : "running"),
    claim: (request, now) => ({ ...request, updatedAt: now }),
    async act(request) {
      if (!remediationPolicy(tenant.config).apiRunsWithoutApproval) {
        const approval = await askApprovers(deps, tenant, request);
        return { ...request, state: "pending-approval", approvalId: approval.approvalId, updatedAt: new Date() };
      }
      const result = await remediate(deps.remediationFor(tenant, caller.log), {
        tenantId: tenant.tenantId,
        action: request.action,
        control: request.control,
        subjectId: request.subjectId,
        channel: "api",
        requestedBy: requester(request),
      });
      return settledWith(request, result);
    },
  };
}

function undoStep(deps: ApiRequestsDeps, caller: Caller, requestedBy: string): Step {
  return {
    phase: (request, now) => {
      if (request.undo === null) return "claimable";
      return request.undo.state !== "running" ? "settled" : ownerGone(deps, request.undo.requestedAt, now) ? "claimable" : "running";
    },
    claim: (request, now) => ({ ...request, undo: { state: "running", requestedBy, requestedAt: now, result: null }, updatedAt: now }),
    async act(request) {
      const tenant = await deps.tenants.get(request.tenantId);
      const auditId = request.result?.auditId;
      if (!tenant || auditId === undefined) throw new Error(`Request ${request.id} cannot be undone: tenant or audit row missing`);
      const result = await undo(deps.remediationFor(tenant, caller.log), {
        tenantId: tenant.tenantId,
        auditId,
        channel: "api",
        requestedBy: `${requestedBy} (ticket ${request.ticketId})`,
      });
      const undone = { state: result.outcome, requestedBy, requestedAt: request.undo?.requestedAt ?? new Date(), result };
      return { ...request, undo: undone, updatedAt: new Date() };
    },
  };
}

/** The audit row names the ticket as well as the requester. */
function requester(request: ApiRemediation): string {
  return `${request.requestedBy} (ticket ${request.ticketId})`;
}

function settledWith(request: ApiRemediation, result: RemediationResult): ApiRemediation {
  return { ...request, state: OUTCOME_STATE[result.outcome], result, updatedAt: new Date() };
}

/**
 * A request waiting for its approvers moves when they decide (on the approval page, through the
 * same decision flow as every approval): approved and run → the action's outcome; rejected or
 * expired → so. Read here, written back ETag-conditionally (a lost write is someone else's same move).
 */
async function followApproval(deps: ApiRequestsDeps, request: ApiRemediation, etag?: string): Promise<ApiRemediation> {
  if (request.state !== "pending-approval" || request.approvalId === null) return request;
  const approval = await deps.approvals.get(request.tenantId, request.approvalId);
  const moved = approval && (await movedBy(deps, request, approval));
  if (!moved) return request;
  if (etag !== undefined) await deps.remediationRequests.replace(moved, etag);
  return moved;
}

async function movedBy(deps: ApiRequestsDeps, request: ApiRemediation, approval: Approval): Promise<ApiRemediation | undefined> {
  if (approval.state === "rejected" || approval.state === "expired") return { ...request, state: approval.state, updatedAt: new Date() };
  if (approval.state !== "approved" || approval.auditId === null) return undefined;
  const entry = await deps.audit.get(request.tenantId, approval.auditId);
  return entry && settledWith(request, resultOf(entry));
}

function resultOf(entry: AuditEntry): RemediationResult {
  const { outcome, message, auditId, before, after, graphRequestId } = entry;
  return { outcome, message, auditId, before, after, graphRequestId };
}

/** Why the tenant's approvers cannot be asked (approvals not configured, no approver), or undefined. */
function whyApproversCannotBeAsked(deps: ApiRequestsDeps, tenant: TenantRecord): string | undefined {
  if (!deps.approvalSettings) return "approvals are not configured (APPROVAL_SIGNING_KEYS, PUBLIC_BASE_URL, MAIL_SENDER)";
  if (approverAddresses(tenant.config.approvers).length === 0) return `tenant ${tenant.tenantId} has no approver address`;
  return undefined;
}

/**
 * An approval request for this ticket, sent to the tenant's approvers as a digest of one (the usual
 * confirmation link). The caller checked whyApproversCannotBeAsked first.
 */
async function askApprovers(deps: ApiRequestsDeps, tenant: TenantRecord, request: ApiRemediation): Promise<Approval> {
  const settings = deps.approvalSettings;
  if (!settings) throw new Error("approvals are not configured");
  const approvers = approverAddresses(tenant.config.approvers);
  const now = new Date();
  const runId = runIdAt(now);
  const { control, subjectId: subject, action: act, ticketId, requestedBy, reason } = request;
  const evidence = { ticket: ticketId, requestedBy, reason };
  const asked = newApprovalRequest(tenant.tenantId, { control, subjectId: subject, action: act, evidence }, runId, now, settings.ttlHours);
  const { approval } = await deps.approvals.createIfAbsent(asked);
  const { tenantId, approvalId, action, subjectId, expiresAt } = approval;
  const token = await new ApprovalTokenSigner(settings.signingKeys).sign({ tenantId, approvalId, action, subjectId, expiresAt }, now);
  const digest = renderDigest({
    tenant,
    runId,
    approvals: [approval],
    linkFor: (_, decision) => approvalLink(settings.publicBaseUrl, token, decision),
  });
  await sendDigest(deps.graphFor(settings.mailTenantId ?? tenant.tenantId), { sender: settings.mailSender, approvers, digest });
  return approval;
}

/** The body as the request's identity for an Idempotency-Key: every field, in a fixed order. */
export function bodyFingerprint(input: ApiRemediationInput): string {
  const { tenantId, action, control, subjectId, ticketId, requestedBy, reason, callbackUrl } = input;
  return createHash("sha256")
    .update(JSON.stringify([tenantId.toLowerCase(), action, control, subjectId, ticketId, requestedBy, reason, callbackUrl]))
    .digest("hex");
}
