/**
 * The one guarded path of every remediation and undo, whatever the channel (approval link,
 * ticketing API, anything later). It writes exactly one audit row per attempt, whatever the
 * outcome; callers get a RemediationResult, and only storage failures and invalid arguments throw.
 *
 * Apply checks, in this order (the README's remediation section states the same order):
 *  1. the tenant is the one the Graph client is for, and it is enabled in tenant-patrol;
 *  2. the tenant's remediation policy allows the action (and, for block-account on mfa.admins,
 *     `blockUnregisteredAdmins`);
 *  3. the catalog defines the (action, control) pair, and the subject is of the action's kind;
 *  then, holding the tenant's remediation lease (one remediation per tenant at a time, across
 *  instances, so nothing changes between a check and the write):
 *  4. the subject is not excluded, not tenant-patrol's own service principal, not the mail sender;
 *  5. the Global Administrator floor (actions that disable accounts);
 *  6. the control re-judges the subject on data read just now; `stale` unless it fails it now, and
 *     `refused` when the tenant's policy calls for another action for what it found;
 *  7. the action reads the state it changes and writes (every write checks the lease is still held).
 *
 * Undo checks 1, then the audit row (this tenant's, an apply that changed something), then under
 * the lease 4 and the binding of the undo to its action: no later change of the same action on the
 * same subject, and the subject still in the state the row left (each action checks its own state).
 */
import type { TenantGraph } from "../graph/client.js";
import { describeError, describeErrorPublicly, unavailableReason } from "../graph/errors.js";
import { logLine } from "../logging/log-text.js";
import { CONTROL_IDS, type ControlId } from "../model/findings.js";
import type { TenantRecord } from "../model/tenant.js";
import type { ApprovalsRepository } from "../storage/approvals.js";
import { isAuditId, type AuditEntry, type AuditRepository, type NewAuditEntry } from "../storage/audit.js";
import { assertKeySafe } from "../storage/keys.js";
import type { TenantLease, TenantLeaseRepository } from "../storage/tenant-leases.js";
import { refused, stale, type ActionContext, type ActionHandler, type SubjectKind, type Trace, type Verdict } from "./actions/action.js";
import { blockAccount } from "./actions/block-account.js";
import { disableUserConsent } from "./actions/disable-user-consent.js";
import { enforceMfa } from "./actions/enforce-mfa.js";
import { setPasswordNeverExpire } from "./actions/set-password-never-expire.js";
import { isStepError, requestIdOf, sendWrite, step } from "./graph-calls.js";
import { isDomainName } from "../model/ids.js";
import { exclusionOf, globalAdminShortfall, isObjectId } from "./guardrails.js";
import { REMEDIATION_PERMISSIONS, requiredFor } from "./permissions.js";
import { actionFor, remediationPolicy } from "./policy.js";
import { rejudge } from "./rejudge.js";
import type { AcceptancesRepository } from "../storage/acceptances.js";
import { selfGuard, type ServiceIdentity } from "./self-guard.js";
import type { RemediationAction, RemediationOutcome, RemediationRequest, RemediationResult, UndoRequest } from "../model/remediation.js";

/** Where an attempt's end is logged: one line each, failures as warnings. */
export interface RemediationLog {
  info(line: string): void;
  warn(line: string): void;
}

export interface RemediationDeps {
  /** A Graph client for `tenant`. */
  readonly graph: TenantGraph;
  readonly audit: AuditRepository;
  /** Undoing an approved action marks its approval undone. */
  readonly approvals: Pick<ApprovalsRepository, "recordUndo">;
  /** One remediation per tenant at a time, across every instance. */
  readonly leases: TenantLeaseRepository;
  /** The risk register: a finding whose risk is accepted is never acted on, whatever the channel. */
  readonly acceptances: Pick<AcceptancesRepository, "listForTenant">;
  /** Who the Graph client is for; its current record (enabled, policy, exclusions) is read under the lease. */
  readonly tenant: TenantRecord;
  readonly tenants: { get(tenantId: string): Promise<TenantRecord | undefined> };
  /** tenant-patrol itself (app id, mail sender): never acted on. */
  readonly self: ServiceIdentity;
  readonly log?: RemediationLog;
  /** How long to wait for another remediation of the tenant to finish. Default 60 s. */
  readonly leaseWaitInMs?: number;
}

/** The lease every remediation and undo of a tenant holds while it reads, judges and acts. */
export const REMEDIATION_LEASE = "remediation";

export const ACTION_HANDLERS: Readonly<Record<RemediationAction, ActionHandler>> = {
  "block-account": blockAccount,
  "enforce-mfa": enforceMfa,
  "disable-user-consent": disableUserConsent,
  "set-password-never-expire": setPasswordNeverExpire,
};

/** Caps for caller-supplied text stored in the audit row (a Table string holds 32K chars). */
export const MAX_REQUEST_FIELD_CHARS = 1024;
/** Messages are one line, at most this long. */
export const MAX_MESSAGE_CHARS = 1000;

/** The attempt ran (and may have changed Graph) but its audit row could not be written. */
export class AuditWriteError extends Error {
  override readonly name = "AuditWriteError";
  constructor(
    /** What would have been recorded: log it, it is the only trace left. */
    readonly entry: NewAuditEntry,
    cause: unknown,
  ) {
    super(`Remediation ended "${entry.outcome}" but its audit row could not be written: ${oneLine(describeError(cause))}`, { cause });
  }
}

/** The lease ran out (a storage outage outlasted its renewals) before a write: the write is not sent. */
export class LeaseLostError extends Error {
  override readonly name = "LeaseLostError";
  constructor(tenantId: string) {
    super(`the remediation lease of tenant ${tenantId} was lost before the write; nothing further was sent`);
  }
}

interface Ending {
  readonly outcome: RemediationOutcome;
  readonly message: string;
}

/**
 * Applies `request.action` to its subject. `now` is the instant the finding is re-judged at
 * (inactivity days); the audit row's time is the wall clock.
 */
export async function remediate(deps: RemediationDeps, request: RemediationRequest, now: Date = new Date()): Promise<RemediationResult> {
  assertRecordable(request);
  const action = handlerFor(request.action)?.action ?? null;
  return attempt(deps, {
    action,
    run: (tenant, lease, trace) => runApply(deps, { tenant, lease, trace }, request, now),
    entry: (trace, ending) => ({
      tenantId: request.tenantId,
      channel: request.channel,
      requestedBy: request.requestedBy,
      action,
      mode: "apply",
      subjectId: request.subjectId,
      control: knownControl(request.control),
      approvalId: request.approvalId ?? null,
      undoOf: null,
      ...recorded(trace, ending),
    }),
  });
}

/** Puts back the state an earlier `done` (or partly done) attempt recorded in its audit row. */
export async function undo(deps: RemediationDeps, request: UndoRequest): Promise<RemediationResult> {
  assertRecordable(request);
  const original = isAuditId(request.auditId) ? await deps.audit.get(request.tenantId, request.auditId) : undefined;
  return attempt(deps, {
    action: original?.action ?? null,
    run: (tenant, lease, trace) => runUndo(deps, { tenant, lease, trace }, request, original),
    entry: (trace, ending) => ({
      tenantId: request.tenantId,
      channel: request.channel,
      requestedBy: request.requestedBy,
      action: original?.action ?? null,
      mode: "undo",
      subjectId: original?.subjectId ?? null,
      control: original?.control ?? null,
      approvalId: original?.approvalId ?? null,
      undoOf: request.auditId,
      ...recorded(trace, ending),
    }),
    then: async (result) => {
      if (result.outcome === "done" && original?.approvalId) await markApprovalUndone(deps, original.approvalId, request, result.auditId);
    },
  });
}

interface Attempt {
  readonly action: RemediationAction | null;
  /** The checks and the action, given the tenant's record as it is now (null: no longer registered). */
  run(tenant: TenantRecord | null, lease: TenantLease, trace: Trace): Promise<Verdict>;
  entry(trace: Trace, ending: Ending): NewAuditEntry;
  /** Bookkeeping after the audit row, still under the lease. */
  then?(result: RemediationResult): Promise<void>;
}

/**
 * One attempt, all of it under the tenant's remediation lease: the tenant's record read after the
 * wait (a tenant disabled, a policy narrowed or an exclusion added while it waited counts), the
 * checks, the action and its audit row, so the next attempt on the tenant sees this one's row.
 */
async function attempt(deps: RemediationDeps, spec: Attempt): Promise<RemediationResult> {
  const trace = newTrace();
  const lease = await deps.leases.acquire(deps.tenant.tenantId, REMEDIATION_LEASE, {
    holderLabel: "remediation",
    ...(deps.leaseWaitInMs !== undefined ? { waitInMs: deps.leaseWaitInMs } : {}),
  });
  if (!lease) return finish(deps, spec.entry(trace, busy(deps.tenant.tenantId)));
  try {
    const ending = await settle(trace, spec.action, deps.log, async () =>
      spec.run((await deps.tenants.get(deps.tenant.tenantId)) ?? null, lease, trace),
    );
    const result = await finish(deps, spec.entry(trace, ending));
    await spec.then?.(result);
    return result;
  } finally {
    await releaseQuietly(deps, lease);
  }
}

/** Another remediation of the tenant held its lease for all of the wait: nothing was tried. */
function busy(tenantId: string): Ending {
  return {
    outcome: "failed",
    message:
      `Not done: another remediation of tenant ${tenantId} is still running. Try again in a minute ` +
      "(an approval link is used up by this attempt: the next nightly sweep sends a new request).",
  };
}

/**
 * The approval page shows the undo instead of the original result. The undo itself is done and
 * audited, so a failure here is logged, not thrown: the caller must learn that the undo happened.
 */
async function markApprovalUndone(deps: RemediationDeps, approvalId: string, request: UndoRequest, auditId: string): Promise<void> {
  try {
    await deps.approvals.recordUndo(request.tenantId, approvalId, { auditId, undoneBy: request.requestedBy, at: new Date() });
  } catch (error) {
    deps.log?.warn(logLine`undo ${auditId} is done, but approval ${approvalId} could not be marked undone: ${describeError(error)}`);
  }
}

/** What the checks run on: the tenant as it is now, the held lease, the attempt's trace. */
interface Held {
  readonly tenant: TenantRecord | null;
  readonly lease: TenantLease;
  readonly trace: Trace;
}

async function runApply(deps: RemediationDeps, held: Held, request: RemediationRequest, now: Date): Promise<Verdict> {
  const { tenant, trace } = held;
  const problem = tenantProblem(deps, tenant, request.tenantId) ?? policyProblem(tenant, request) ?? catalogProblem(request);
  if (problem || tenant === null) return refused(problem ?? "Not done: the tenant is not registered.");
  const accepted = await acceptedRisk(deps, tenant, request, now);
  if (accepted) return refused(accepted);
  const handler = ACTION_HANDLERS[request.action];
  const guard = await subjectGuard(deps, tenant, handler, request.subjectId);
  if (guard) return refused(guard);
  if (handler.disablesAccounts && request.subjectId !== null) {
    const shortfall = await globalAdminShortfall(deps.graph.client, request.subjectId);
    if (shortfall) return refused(`Not done: ${shortfall}.`);
  }
  const judged = await rejudge({
    graph: deps.graph,
    tenantId: tenant.tenantId,
    control: request.control,
    subjectId: request.subjectId,
    asOf: now,
  });
  if (!judged.flagged) {
    trace.before = judged.observed ?? null;
    return stale(`Not done: ${judged.why}; nothing changed.`);
  }
  // What the control finds now may call for another action (an unregistered admin has since registered).
  const called = actionFor(judged.row, remediationPolicy(tenant.config));
  if (called !== request.action) {
    const reason = typeof judged.row.detail.reason === "string" ? ` (${judged.row.detail.reason})` : "";
    const instead = called ?? "no action this tenant's policy allows";
    return stale(`Not done: what ${request.control} finds now${reason} calls for ${instead}, not ${request.action}; nothing changed.`);
  }
  return handler.apply({ ...actionContext(deps, { ...held, tenant }, request, now), finding: judged.row });
}

async function runUndo(deps: RemediationDeps, held: Held, request: UndoRequest, original: AuditEntry | undefined): Promise<Verdict> {
  const { tenant } = held;
  const problem = tenantProblem(deps, tenant, request.tenantId);
  if (problem || tenant === null) return refused((problem ?? "Not done: the tenant is not registered.").replace(/^Not done/, "Not undone"));
  if (!isAuditId(request.auditId)) return refused(`Not undone: ${JSON.stringify(request.auditId)} is not an audit id.`);
  if (!original) return refused(`Not undone: tenant ${request.tenantId} has no audit row ${request.auditId}.`);
  if (original.mode === "undo")
    return refused(`Not undone: audit row ${original.auditId} is itself an undo; run the action again instead.`);
  const handler = original.action === null ? undefined : handlerFor(original.action);
  const control = original.control;
  if (!handler || control === null) return refused(`Not undone: audit row ${original.auditId} names no action to undo.`);
  if (original.after === null) {
    return refused(`Not undone: audit row ${original.auditId} ended ${original.outcome} without changing anything.`);
  }
  const guard = await subjectGuard(deps, tenant, handler, original.subjectId);
  if (guard) return refused(guard.replace(/^Not done/, "Not undone"));
  const later = await laterChange(deps, original, handler.action);
  if (later) {
    return stale(
      `Not undone: audit row ${later.auditId} (${later.mode}, ${later.at.toISOString()}) changed the same subject since; undo that one instead.`,
    );
  }
  return handler.undo(actionContext(deps, { ...held, tenant }, { control, subjectId: original.subjectId }, new Date()), original);
}

/** The newest later attempt of the same action on the same subject that changed something. */
async function laterChange(deps: RemediationDeps, original: AuditEntry, action: RemediationAction): Promise<AuditEntry | undefined> {
  const later = await deps.audit.listActionAfter(original.tenantId, original.auditId, action);
  const subject = original.subjectId?.toLowerCase() ?? null;
  return later.find((row) => row.after !== null && (row.subjectId?.toLowerCase() ?? null) === subject);
}

/** A lease that cannot be freed expires on its own; the attempt's verdict stands either way. */
async function releaseQuietly(deps: RemediationDeps, lease: TenantLease): Promise<void> {
  try {
    await lease.release();
  } catch (error) {
    deps.log?.warn(
      logLine`the remediation lease of tenant ${lease.tenantId} could not be released (it expires by itself): ${describeError(error)}`,
    );
  }
}

function actionContext(
  deps: RemediationDeps,
  held: Held & { readonly tenant: TenantRecord },
  target: { readonly control: ControlId; readonly subjectId: string | null },
  now: Date,
): ActionContext {
  const client = deps.graph.client;
  const { lease, tenant, trace } = held;
  return {
    client,
    tenant,
    control: target.control,
    subjectId: target.subjectId,
    now,
    trace,
    write: (graphStep, write) => {
      if (!lease.held) throw new LeaseLostError(tenant.tenantId);
      return step(graphStep, () => sendWrite(client, write));
    },
  };
}

/** Never tenant-patrol itself, never an excluded principal (config ids, members of config groups read now). */
async function subjectGuard(
  deps: RemediationDeps,
  tenant: TenantRecord,
  handler: ActionHandler,
  subjectId: string | null,
): Promise<string | null> {
  if (handler.subject !== "user" || subjectId === null) return null;
  const self = await selfGuard(deps.graph.client, tenant.tenantId, deps.self, subjectId);
  if (self) return `Not done: ${subjectId} ${self}.`;
  const exclusion = await exclusionOf(deps.graph.client, tenant.config, subjectId);
  return exclusion ? `Not done: ${subjectId} ${exclusion}; excluded principals are never remediated.` : null;
}

/**
 * An acceptance in force for the finding: someone decided to live with this risk until its expiry, so
 * an approval sent before they did, or a ticket, does not act on it. Revoking the acceptance lifts it.
 */
async function acceptedRisk(deps: RemediationDeps, tenant: TenantRecord, request: RemediationRequest, now: Date): Promise<string | null> {
  // Ids compared without case: a ticket may spell a Graph id in capitals.
  const subject = request.subjectId?.toLowerCase() ?? null;
  const inForce = (await deps.acceptances.listForTenant(tenant.tenantId)).find(
    ({ acceptance: a }) => a.control === request.control && (a.subjectId?.toLowerCase() ?? null) === subject && a.expiresAt > now,
  );
  if (inForce === undefined) return null;
  const { acceptedBy, expiresAt } = inForce.acceptance;
  return `Not done: the risk of this ${request.control} finding was accepted by ${acceptedBy} until ${expiresAt.toISOString()}; revoke the acceptance first.`;
}

/** The tenant as registered now (read under the lease) must be the one asked for, and enabled. */
function tenantProblem(deps: RemediationDeps, tenant: TenantRecord | null, tenantId: string): string | null {
  if (tenantId.toLowerCase() !== deps.tenant.tenantId.toLowerCase()) {
    return `Not done: the request is for tenant ${tenantId}, but the Graph client and settings are for ${deps.tenant.tenantId}.`;
  }
  if (tenant === null) return `Not done: tenant ${tenantId} is no longer registered in tenant-patrol.`;
  return tenant.enabled ? null : `Not done: tenant ${tenant.tenantId} is disabled in tenant-patrol.`;
}

/** The tenant's remediation policy, as the approval planner applies it. */
function policyProblem(tenant: TenantRecord | null, request: RemediationRequest): string | null {
  if (!handlerFor(request.action)) return `Not done: unknown remediation action ${JSON.stringify(request.action)}.`;
  if (tenant === null) return null;
  const policy = remediationPolicy(tenant.config);
  if (!policy.actions.has(request.action)) return `Not done: the tenant's remediation policy does not allow ${request.action}.`;
  if (request.action === "block-account" && request.control === "mfa.admins" && !policy.blockUnregisteredAdmins) {
    return "Not done: the tenant's remediation policy does not block administrators for mfa.admins findings (blockUnregisteredAdmins is off).";
  }
  return null;
}

function catalogProblem(request: RemediationRequest): string | null {
  const handler = ACTION_HANDLERS[request.action];
  if (!handler.controls.includes(request.control)) {
    return `Not done: ${handler.action} does not remediate ${JSON.stringify(request.control)} findings.`;
  }
  const subjectProblem = checkSubject(handler.subject, request.subjectId);
  return subjectProblem ? `Not done: ${subjectProblem}.` : null;
}

function checkSubject(kind: SubjectKind, subjectId: string | null): string | null {
  if (kind === "tenant") return subjectId === null ? null : "this is a tenant-level action and takes no subject id";
  if (subjectId === null || subjectId === "") return `this action needs a ${kind === "user" ? "user object id" : "domain name"} as subject`;
  if (kind === "user" && !isObjectId(subjectId)) return `${JSON.stringify(subjectId)} is not a user object id`;
  // A domain id is a DNS name: anything else ("." or "..") would change the Graph path it is put in.
  if (kind === "domain" && !isDomainName(subjectId)) return `${JSON.stringify(subjectId)} is not a domain name`;
  return null;
}

function handlerFor(action: string): ActionHandler | undefined {
  return Object.hasOwn(ACTION_HANDLERS, action) ? ACTION_HANDLERS[action as RemediationAction] : undefined;
}

function knownControl(control: string): ControlId | null {
  return (CONTROL_IDS as readonly string[]).includes(control) ? (control as ControlId) : null;
}

/** Runs the attempt; a thrown error becomes `permission-denied` (Graph 403) or `failed`, never an exception. */
async function settle(
  trace: Trace,
  action: RemediationAction | null,
  log: RemediationLog | undefined,
  run: () => Promise<Verdict>,
): Promise<Ending> {
  try {
    return await run();
  } catch (e) {
    const cause = isStepError(e) ? e.cause : e;
    // The public message names only Graph's code or the error's type; the operator gets the details.
    const where = isStepError(e) ? `${e.message}: ` : "";
    log?.warn(
      logLine`remediation ${action ?? "?"} stopped: ${where}${describeError(cause)}${cause instanceof Error && cause.stack ? ` ${cause.stack}` : ""}`,
    );
    const denied = unavailableReason(cause) === "permission";
    let message: string;
    if (e instanceof LeaseLostError) {
      message = `Not done: ${e.message}.`;
    } else if (isStepError(e)) {
      message = denied
        ? `Permission denied: could not ${e.step.doing}; this needs ${requiredFor(e.step)}. ${describeErrorPublicly(cause)}`
        : `Could not ${e.step.doing}: ${describeErrorPublicly(cause)}`;
    } else if (denied && action !== null) {
      const needs = REMEDIATION_PERMISSIONS[action];
      message = `Permission denied; ${action} needs ${[...needs.write, ...needs.read].join(" + ")}. ${describeErrorPublicly(cause)}`;
    } else {
      message = `Remediation failed: ${describeErrorPublicly(cause)}`;
    }
    if (trace.partial) message = `${trace.partial}: ${message.charAt(0).toLowerCase()}${message.slice(1)}`;
    trace.graphRequestId ??= requestIdOf(e);
    return { outcome: denied ? "permission-denied" : "failed", message };
  }
}

function recorded(trace: Trace, ending: Ending) {
  return {
    before: trace.before,
    after: trace.after,
    graphRequestId: trace.graphRequestId,
    outcome: ending.outcome,
    message: oneLine(ending.message),
  };
}

async function finish(deps: RemediationDeps, entry: NewAuditEntry): Promise<RemediationResult> {
  let stored: AuditEntry;
  try {
    stored = await deps.audit.record(entry);
  } catch (e) {
    throw new AuditWriteError(entry, e);
  }
  logEnding(deps.log, stored);
  return {
    outcome: stored.outcome,
    message: stored.message,
    auditId: stored.auditId,
    before: stored.before,
    after: stored.after,
    graphRequestId: stored.graphRequestId,
  };
}

/** One line per attempt: failures as warnings, with Graph's request id for Microsoft support. */
function logEnding(log: RemediationLog | undefined, entry: AuditEntry): void {
  if (!log) return;
  const line = logLine`remediation ${entry.mode} ${entry.action ?? "?"} in tenant ${entry.tenantId} on ${entry.subjectId ?? "the tenant"} via ${entry.channel}: ${entry.outcome} (audit ${entry.auditId}, Graph request id ${entry.graphRequestId ?? "none"}): ${entry.message}`;
  if (entry.outcome === "failed" || entry.outcome === "permission-denied") log.warn(line);
  else log.info(line);
}

function newTrace(): Trace {
  return { before: null, after: null, graphRequestId: null, partial: null };
}

const CHANNELS: readonly string[] = ["approval", "api"];

/**
 * Whatever the audit row cannot hold is a caller bug: RangeError before anything is attempted,
 * so no Graph change can happen without its row.
 */
function assertRecordable(request: RemediationRequest | UndoRequest): void {
  assertKeySafe(request.tenantId, "tenantId");
  if (!CHANNELS.includes(request.channel)) throw new RangeError(`Unknown channel: ${JSON.stringify(request.channel)}`);
  const fields: Record<string, unknown> = {
    requestedBy: request.requestedBy,
    ...("auditId" in request ? { auditId: request.auditId } : {}),
    ...("subjectId" in request ? { subjectId: request.subjectId, control: request.control, action: request.action } : {}),
    ...("approvalId" in request ? { approvalId: request.approvalId } : {}),
  };
  for (const [name, value] of Object.entries(fields)) {
    if (value === null || value === undefined) continue;
    if (typeof value !== "string" || value.length > MAX_REQUEST_FIELD_CHARS) {
      throw new RangeError(`${name} must be a string of at most ${MAX_REQUEST_FIELD_CHARS} chars`);
    }
  }
  if (request.requestedBy.trim() === "") throw new RangeError("requestedBy must name who asked");
}

/** One line of at most MAX_MESSAGE_CHARS: no stack traces or multi-line bodies in results. */
function oneLine(text: string): string {
  const line = text.replace(/\s*[\r\n]+\s*/g, " ").trim();
  return line.length > MAX_MESSAGE_CHARS ? `${line.slice(0, MAX_MESSAGE_CHARS - 1)}…` : line;
}
