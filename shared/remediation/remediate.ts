/**
 * Runs one remediation (or its undo) behind the common guardrails and writes exactly one audit
 * row per attempt, whatever the outcome. Callers (approval page, ticketing API) get a
 * RemediationResult; only storage failures and invalid arguments throw.
 */
import type { TenantGraph } from "../graph/client.js";
import { describeError, describeErrorPublicly, unavailableReason } from "../graph/errors.js";
import { CONTROL_IDS, type ControlId } from "../model/findings.js";
import type { TenantRecord } from "../model/tenant.js";
import { isAuditId, type AuditEntry, type AuditRepository, type NewAuditEntry } from "../storage/audit.js";
import { assertKeySafe } from "../storage/keys.js";
import { refused, type ActionHandler, type SubjectKind, type Trace, type Verdict } from "./actions/action.js";
import { blockAccount } from "./actions/block-account.js";
import { disableUserConsent } from "./actions/disable-user-consent.js";
import { enforceMfa } from "./actions/enforce-mfa.js";
import { setPasswordNeverExpire } from "./actions/set-password-never-expire.js";
import { isStepError, requestIdOf } from "./graph-calls.js";
import { exclusionOf, isObjectId } from "./guardrails.js";
import { REMEDIATION_PERMISSIONS, requiredFor } from "./permissions.js";
import type {
  RemediationAction,
  RemediationOutcome,
  RemediationRequest,
  RemediationResult,
  UndoRequest,
} from "./types.js";

export interface RemediationDeps {
  /** A Graph client for `tenant`. */
  readonly graph: TenantGraph;
  readonly audit: AuditRepository;
  readonly tenant: TenantRecord;
  /** The app's own service principal object id in the tenant: never acted on. */
  readonly servicePrincipalId?: string;
}

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
  const trace = newTrace();
  const action = handlerFor(request.action)?.action ?? null;
  const ending = await settle(trace, action, () => runApply(deps, request, now, trace));
  return finish(deps.audit, {
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
  });
}

/** Puts back the state an earlier `done` (or partly done) attempt recorded in its audit row. */
export async function undo(deps: RemediationDeps, request: UndoRequest): Promise<RemediationResult> {
  assertRecordable(request);
  const trace = newTrace();
  const original = isAuditId(request.auditId) ? await deps.audit.get(request.tenantId, request.auditId) : undefined;
  const ending = await settle(trace, original?.action ?? null, () => runUndo(deps, request, original, trace));
  return finish(deps.audit, {
    tenantId: request.tenantId,
    channel: request.channel,
    requestedBy: request.requestedBy,
    action: original?.action ?? null,
    mode: "undo",
    subjectId: original?.subjectId ?? null,
    control: original?.control ?? null,
    approvalId: null,
    undoOf: request.auditId,
    ...recorded(trace, ending),
  });
}

async function runApply(deps: RemediationDeps, request: RemediationRequest, now: Date, trace: Trace): Promise<Verdict> {
  const mismatch = tenantMismatch(deps, request.tenantId);
  if (mismatch) return refused(mismatch);
  if (!deps.tenant.enabled) return refused(`Not done: tenant ${deps.tenant.tenantId} is disabled in tenant-patrol.`);
  const handler = handlerFor(request.action);
  if (!handler) return refused(`Not done: unknown remediation action ${JSON.stringify(request.action)}.`);
  if (!handler.controls.includes(request.control)) {
    return refused(`Not done: ${handler.action} does not remediate ${JSON.stringify(request.control)} findings.`);
  }
  const subjectProblem = checkSubject(handler.subject, request.subjectId);
  if (subjectProblem) return refused(`Not done: ${subjectProblem}.`);
  if (handler.subject === "user" && request.subjectId !== null) {
    const guard = await principalGuard(deps, request.subjectId);
    if (guard) return refused(guard);
  }
  return handler.apply({
    client: deps.graph.client,
    tenant: deps.tenant,
    control: request.control,
    subjectId: request.subjectId,
    now,
    trace,
  });
}

async function runUndo(deps: RemediationDeps, request: UndoRequest, original: AuditEntry | undefined, trace: Trace): Promise<Verdict> {
  const mismatch = tenantMismatch(deps, request.tenantId);
  if (mismatch) return refused(mismatch);
  if (!isAuditId(request.auditId)) return refused(`Not undone: ${JSON.stringify(request.auditId)} is not an audit id.`);
  if (!original) return refused(`Not undone: tenant ${request.tenantId} has no audit row ${request.auditId}.`);
  if (original.mode === "undo") return refused(`Not undone: audit row ${original.auditId} is itself an undo; run the action again instead.`);
  const handler = original.action === null ? undefined : handlerFor(original.action);
  if (!handler || original.control === null) return refused(`Not undone: audit row ${original.auditId} names no action to undo.`);
  if (original.after === null) {
    return refused(`Not undone: audit row ${original.auditId} ended ${original.outcome} without changing anything.`);
  }
  if (handler.subject === "user" && original.subjectId !== null) {
    const guard = await principalGuard(deps, original.subjectId);
    if (guard) return refused(guard);
  }
  return handler.undo(
    { client: deps.graph.client, tenant: deps.tenant, control: original.control, subjectId: original.subjectId, now: new Date(), trace },
    original,
  );
}

/** Never the app itself, never an excluded principal (config ids, members of config groups read now). */
async function principalGuard(deps: RemediationDeps, userId: string): Promise<string | null> {
  if (deps.servicePrincipalId !== undefined && deps.servicePrincipalId.toLowerCase() === userId.toLowerCase()) {
    return `Not done: ${userId} is tenant-patrol's own service principal, which it never acts on.`;
  }
  const exclusion = await exclusionOf(deps.graph.client, deps.tenant.config, userId);
  return exclusion ? `Not done: ${userId} ${exclusion}; excluded principals are never remediated.` : null;
}

function checkSubject(kind: SubjectKind, subjectId: string | null): string | null {
  if (kind === "tenant") return subjectId === null ? null : "this is a tenant-level action and takes no subject id";
  if (subjectId === null || subjectId === "") return `this action needs a ${kind === "user" ? "user object id" : "domain name"} as subject`;
  if (kind === "user" && !isObjectId(subjectId)) return `${JSON.stringify(subjectId)} is not a user object id`;
  return null;
}

function tenantMismatch(deps: RemediationDeps, tenantId: string): string | null {
  if (tenantId.toLowerCase() === deps.tenant.tenantId.toLowerCase()) return null;
  return `Not done: the request is for tenant ${tenantId}, but the Graph client and settings are for ${deps.tenant.tenantId}.`;
}

function handlerFor(action: string): ActionHandler | undefined {
  return Object.hasOwn(ACTION_HANDLERS, action) ? ACTION_HANDLERS[action as RemediationAction] : undefined;
}

function knownControl(control: string): ControlId | null {
  return (CONTROL_IDS as readonly string[]).includes(control) ? (control as ControlId) : null;
}

/** Runs the attempt; a thrown error becomes `permission-denied` (Graph 403) or `failed`, never an exception. */
async function settle(trace: Trace, action: RemediationAction | null, run: () => Promise<Verdict>): Promise<Ending> {
  try {
    return await run();
  } catch (e) {
    const cause = isStepError(e) ? e.cause : e;
    const denied = unavailableReason(cause) === "permission";
    let message: string;
    if (isStepError(e)) {
      message = denied
        ? `Permission denied: could not ${e.step.doing}; this needs ${requiredFor(e.step)}. ${describeErrorPublicly(cause)}`
        : `Could not ${e.step.doing}: ${describeErrorPublicly(cause)}`;
    } else if (denied && action !== null) {
      const needs = REMEDIATION_PERMISSIONS[action];
      message = `Permission denied; ${action} needs ${[...needs.write, ...needs.read].join(" + ")}. ${describeErrorPublicly(cause)}`;
    } else {
      message = `Remediation failed: ${describeErrorPublicly(cause)}`;
    }
    if (trace.partial) message = `${trace.partial}, but ${message.charAt(0).toLowerCase()}${message.slice(1)}`;
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

async function finish(audit: AuditRepository, entry: NewAuditEntry): Promise<RemediationResult> {
  let stored: AuditEntry;
  try {
    stored = await audit.record(entry);
  } catch (e) {
    throw new AuditWriteError(entry, e);
  }
  return {
    outcome: stored.outcome,
    message: stored.message,
    auditId: stored.auditId,
    before: stored.before,
    after: stored.after,
    graphRequestId: stored.graphRequestId,
  };
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
