import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { z } from "zod";
import { functionApp } from "../shared/app/wiring.js";
import { readRequest, submitRequest, undoRequest, type ApiRequestsDeps } from "../shared/approvals/api-requests.js";
import type { AuthenticatedCaller, CallerAuthenticator } from "../shared/http/callers.js";
import { fieldErrors, invalidRequest, jsonResponse, parseJsonBody, problemResponse } from "../shared/http/problem.js";
import { logLine } from "../shared/logging/log-text.js";
import { API_REMEDIATION_STATES, type ApiRemediation } from "../shared/model/api-remediation.js";
import { CONTROL_IDS } from "../shared/model/findings.js";
import { REMEDIATION_ACTIONS, type RemediationResult } from "../shared/model/remediation.js";
import { tenantOfRequestId } from "../shared/storage/remediation-requests.js";
import { MAX_API_BODY_BYTES } from "./remediations-api.js";

/**
 * The ticketing API, version 2 (openapi/remediations.openapi.json is its contract): idempotent
 * requests that run now or wait for the tenant's approvers, read, listed and undone by callers that
 * hold an Entra token (shared/http/callers.ts), each reaching only its own tenants: another
 * tenant's request reads as unknown (404). Errors are RFC 9457 problem details naming each field.
 */
export interface RemediationApiV2Deps extends ApiRequestsDeps {
  readonly callerAuth: CallerAuthenticator;
}

const text = (max: number) => z.string().trim().min(1, "must not be empty").max(max, `must be at most ${max} characters`);

const SubmitBody = z.strictObject({
  tenantId: z.guid("must be a tenant id (GUID)").transform((id) => id.toLowerCase()),
  action: z.enum(REMEDIATION_ACTIONS),
  control: z.enum(CONTROL_IDS),
  subjectId: z.string().min(1).max(256).nullable(),
  ticketId: text(128),
  requestedBy: text(256),
  reason: text(1024),
  callbackUrl: z
    .url({ protocol: /^https$/, error: "must be an https:// URL" })
    .max(2048)
    .nullable()
    .optional()
    .transform((url) => url ?? null),
});

const UndoBody = z.strictObject({ requestedBy: text(256) });

const ListQuery = z.strictObject({
  tenantId: z.guid("must be a tenant id (GUID)").transform((id) => id.toLowerCase()),
  ticketId: text(128).optional(),
  state: z.enum(API_REMEDIATION_STATES).optional(),
  limit: z.coerce.number().int("must be a whole number").min(1).max(100).default(25),
  pageToken: z.string().max(2048).optional(),
});

/** A caller's key for one logical request: printable ASCII, as the IETF draft's examples and Stripe's keys are. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export const submitRemediationV2 = (request: HttpRequest, context: InvocationContext) => handleSubmit(functionApp(), request, context);
export const getRemediationV2 = (request: HttpRequest, context: InvocationContext) => handleGet(functionApp(), request, context);
export const listRemediationsV2 = (request: HttpRequest, context: InvocationContext) => handleList(functionApp(), request, context);
export const undoRemediationV2 = (request: HttpRequest, context: InvocationContext) => handleUndo(functionApp(), request, context);

/** POST remediations → 200 settled, 202 waiting for approval (or still running after the wait). */
export async function handleSubmit(
  deps: RemediationApiV2Deps,
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const auth = await deps.callerAuth.authenticate(request, "Remediation.Request");
  if (!auth.ok) return auth.response;
  const key = request.headers.get("idempotency-key") ?? undefined;
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    return invalidRequest([{ field: "header.Idempotency-Key", message: "must be 1-255 printable ASCII characters" }]);
  }
  const body = await parseJsonBody(request, MAX_API_BODY_BYTES, SubmitBody);
  if (!body.ok) return body.response;
  const input = body.value;
  if (!auth.caller.reaches(input.tenantId)) return unknownTenant(input.tenantId);
  context.log(
    logLine`v2 request by ${auth.caller.displayName} (${auth.caller.appId}): ${input.action} ${input.subjectId ?? "(tenant)"} in ${input.tenantId}, ticket ${input.ticketId}, requested by ${input.requestedBy}`,
  );
  const submitted = await submitRequest(deps, { id: auth.caller.appId, log: invocationLog(context) }, input, key);
  switch (submitted.kind) {
    case "unknown-tenant":
      return unknownTenant(input.tenantId);
    case "key-reused":
      return problemResponse(
        422,
        "idempotency-key-reused",
        "Idempotency-Key reused",
        `This Idempotency-Key was first used for another request body (request ${submitted.requestId}); use a new key for a new request.`,
      );
    case "cannot-ask-approval":
      return problemResponse(
        409,
        "approval-unavailable",
        "Approval cannot be asked",
        `The tenant's policy needs an approval, but ${submitted.why}.`,
      );
    case "request":
      return requestResponse(submitted.request);
  }
}

/** GET remediations/{id} → the request, or 404 (unknown, or in a tenant the caller does not reach). */
export async function handleGet(deps: RemediationApiV2Deps, request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  const auth = await deps.callerAuth.authenticate(request, "Remediation.Read");
  if (!auth.ok) return auth.response;
  const found = await reachableRequest(deps, auth.caller, request.params.id ?? "");
  return found ?? unknownRequest(request.params.id ?? "");
}

/** GET remediations?tenantId=&ticketId=&state=&limit=&pageToken= → one page of the tenant's requests. */
export async function handleList(deps: RemediationApiV2Deps, request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  const auth = await deps.callerAuth.authenticate(request, "Remediation.Read");
  if (!auth.ok) return auth.response;
  const query = ListQuery.safeParse(Object.fromEntries(request.query));
  if (!query.success) return invalidRequest(fieldErrors(query.error, "query."));
  const { tenantId, ticketId, state, limit, pageToken } = query.data;
  if (!auth.caller.reaches(tenantId) || !(await deps.tenants.get(tenantId))) return unknownTenant(tenantId);
  let page;
  try {
    page = await deps.remediationRequests.list(tenantId, {
      limit,
      ...(ticketId ? { ticketId } : {}),
      ...(state ? { state } : {}),
      ...(pageToken ? { pageToken } : {}),
    });
  } catch (error) {
    // The table client decodes the token it handed out; anything else is the caller's mistake.
    if (pageToken === undefined || !(error instanceof SyntaxError || error instanceof TypeError)) throw error;
    return invalidRequest([{ field: "query.pageToken", message: "is not a page token this API handed out" }]);
  }
  return jsonResponse(200, { items: page.items.map(view), nextPageToken: page.nextPageToken ?? null });
}

/** POST remediations/{id}/undo → 200 the request with its undo (run once, however often asked). */
export async function handleUndo(deps: RemediationApiV2Deps, request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const auth = await deps.callerAuth.authenticate(request, "Remediation.Request");
  if (!auth.ok) return auth.response;
  const id = request.params.id ?? "";
  const tenantId = tenantOfRequestId(id);
  if (tenantId === undefined || !auth.caller.reaches(tenantId)) return unknownRequest(id);
  const body = await parseJsonBody(request, MAX_API_BODY_BYTES, UndoBody);
  if (!body.ok) return body.response;
  context.log(logLine`v2 undo of ${id} by ${auth.caller.displayName} (${auth.caller.appId}), requested by ${body.value.requestedBy}`);
  const undone = await undoRequest(deps, { id: auth.caller.appId, log: invocationLog(context) }, tenantId, id, body.value.requestedBy);
  if (undone.kind === "not-found") return unknownRequest(id);
  if (undone.kind === "not-undoable") {
    return problemResponse(
      409,
      "not-undoable",
      "Nothing to undo",
      `Request ${id} is ${undone.request.state}: only a done action can be undone.`,
    );
  }
  return jsonResponse(undone.request.undo?.state === "running" ? 202 : 200, view(undone.request));
}

async function reachableRequest(
  deps: RemediationApiV2Deps,
  caller: AuthenticatedCaller,
  id: string,
): Promise<HttpResponseInit | undefined> {
  const tenantId = tenantOfRequestId(id);
  if (tenantId === undefined || !caller.reaches(tenantId)) return undefined;
  const found = await readRequest(deps, tenantId, id);
  return found && requestResponse(found);
}

function requestResponse(request: ApiRemediation): HttpResponseInit {
  const status = request.state === "pending-approval" || request.state === "running" ? 202 : 200;
  return jsonResponse(status, view(request), { Location: `/api/remediations/${request.id}` });
}

/**
 * The request as the API shows it, fields in one fixed order: the owner of a request and every
 * caller that waited for it answer byte for byte the same body.
 */
export function view(request: ApiRemediation) {
  return {
    id: request.id,
    tenantId: request.tenantId,
    ticketId: request.ticketId,
    action: request.action,
    control: request.control,
    subjectId: request.subjectId,
    requestedBy: request.requestedBy,
    reason: request.reason,
    callbackUrl: request.callbackUrl,
    state: request.state,
    createdAt: request.createdAt.toISOString(),
    updatedAt: request.updatedAt.toISOString(),
    approvalId: request.approvalId,
    result: request.result && resultView(request.result),
    undo: request.undo && {
      state: request.undo.state,
      requestedBy: request.undo.requestedBy,
      requestedAt: request.undo.requestedAt.toISOString(),
      result: request.undo.result && resultView(request.undo.result),
    },
  };
}

function resultView(result: RemediationResult) {
  const { outcome, message, auditId, before, after, graphRequestId } = result;
  return { outcome, message, auditId, before, after, graphRequestId };
}

function unknownTenant(tenantId: string): HttpResponseInit {
  return problemResponse(404, "unknown-tenant", "Unknown tenant", `Tenant ${tenantId} is not registered.`);
}

function unknownRequest(id: string): HttpResponseInit {
  return problemResponse(404, "unknown-request", "Unknown request", `No remediation request ${id.slice(0, 100)}.`);
}

function invocationLog(context: InvocationContext) {
  return { info: (line: string) => context.log(line), warn: (line: string) => context.warn(line) };
}
