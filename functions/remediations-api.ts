import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { z } from "zod";
import { functionApp } from "../shared/app/wiring.js";
import { remediate, undo, type RemediationDeps } from "../shared/remediation/index.js";
import type { RemediationLog } from "../shared/remediation/remediate.js";
import { REMEDIATION_ACTIONS, type RemediationResult } from "../shared/model/remediation.js";
import { CONTROL_IDS } from "../shared/model/findings.js";
import type { TenantRecord } from "../shared/model/tenant.js";
import { isGuid } from "../shared/model/ids.js";
import { isAuditId, type AuditRepository } from "../shared/storage/audit.js";
import type { TenantsRepository } from "../shared/storage/tenants.js";
import { logLine } from "../shared/logging/log-text.js";

/**
 * The ticketing API (ServiceNow, Jira, Halo…): request a remediation, read its audit record, undo
 * it. Function-key protected (authLevel "function"); every call goes through the same guarded
 * `remediate` as the approval page, and every attempt is audited with channel "api".
 */
const RemediationBody = z.strictObject({
  action: z.enum(REMEDIATION_ACTIONS),
  control: z.enum(CONTROL_IDS),
  subjectId: z.string().min(1).max(256).nullable(),
  /** Who asked: the ticket's requester or the integration's name, e.g. "servicenow:INC0012345". */
  requestedBy: z.string().trim().min(1).max(256),
});

const UndoBody = z.strictObject({ requestedBy: z.string().trim().min(1).max(256) });

/** A request body is a few short fields; anything larger is refused (413) before it is read whole. */
export const MAX_API_BODY_BYTES = 16 * 1024;

export interface RemediationApiDeps {
  readonly tenants: Pick<TenantsRepository, "get">;
  readonly audit: Pick<AuditRepository, "get">;
  /** What remediate() and undo() need to act on `tenant` (shared/app/wiring.ts). */
  remediationFor(tenant: TenantRecord, log?: RemediationLog): RemediationDeps;
}

export const requestRemediation = (request: HttpRequest, context: InvocationContext) =>
  handleRequestRemediation(functionApp(), request, context);
export const getRemediation = (request: HttpRequest) => handleGetRemediation(functionApp(), request);
export const undoRemediation = (request: HttpRequest, context: InvocationContext) => handleUndoRemediation(functionApp(), request, context);

/** POST tenants/{tenantId}/remediations → 200 with the outcome (done, stale, refused, permission-denied, failed). */
export async function handleRequestRemediation(
  deps: RemediationApiDeps,
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const tenant = await registeredTenant(deps, request.params.tenantId);
  if (!tenant.ok) return tenant.response;
  const body = await parseBody(request, RemediationBody);
  if (!body.ok) return body.response;
  const result = await remediate(deps.remediationFor(tenant.value, invocationLog(context)), {
    tenantId: tenant.value.tenantId,
    channel: "api",
    ...body.value,
  });
  return outcomeResponse(result);
}

/** GET tenants/{tenantId}/remediations/{auditId} → the audit record of one attempt. */
export async function handleGetRemediation(deps: RemediationApiDeps, request: HttpRequest): Promise<HttpResponseInit> {
  const tenant = await registeredTenant(deps, request.params.tenantId);
  if (!tenant.ok) return tenant.response;
  const auditId = request.params.auditId ?? "";
  const entry = isAuditId(auditId) ? await deps.audit.get(tenant.value.tenantId, auditId) : undefined;
  return entry
    ? { status: 200, jsonBody: entry }
    : problem(404, "not-found", `No remediation ${auditId} in tenant ${tenant.value.tenantId}`);
}

/** POST tenants/{tenantId}/remediations/{auditId}/undo → 200 with the undo's outcome. */
export async function handleUndoRemediation(
  deps: RemediationApiDeps,
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const tenant = await registeredTenant(deps, request.params.tenantId);
  if (!tenant.ok) return tenant.response;
  const body = await parseBody(request, UndoBody);
  if (!body.ok) return body.response;
  const auditId = request.params.auditId ?? "";
  context.log(logLine`undo of ${auditId} in tenant ${tenant.value.tenantId} requested by ${body.value.requestedBy}`);
  if (!isAuditId(auditId)) return problem(404, "not-found", `No remediation ${auditId.slice(0, 100)} in tenant ${tenant.value.tenantId}`);
  const result = await undo(deps.remediationFor(tenant.value, invocationLog(context)), {
    tenantId: tenant.value.tenantId,
    auditId,
    channel: "api",
    requestedBy: body.value.requestedBy,
  });
  return outcomeResponse(result);
}

async function registeredTenant(deps: RemediationApiDeps, tenantId: string | undefined): Promise<Checked<TenantRecord>> {
  if (!tenantId || !isGuid(tenantId))
    return { ok: false, response: problem(400, "bad-tenant-id", "tenantId in the route must be a tenant id (GUID)") };
  const record = await deps.tenants.get(tenantId);
  return record
    ? { ok: true, value: record }
    : { ok: false, response: problem(404, "unknown-tenant", `Tenant ${tenantId} is not registered`) };
}

type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly response: HttpResponseInit };

function invocationLog(context: InvocationContext) {
  return { info: (line: string) => context.log(line), warn: (line: string) => context.warn(line) };
}

async function parseBody<T>(request: HttpRequest, schema: z.ZodType<T>): Promise<Checked<T>> {
  const tooLarge = problem(413, "body-too-large", `The request body must be at most ${MAX_API_BODY_BYTES} bytes`);
  if (Number(request.headers.get("content-length") ?? "0") > MAX_API_BODY_BYTES) return { ok: false, response: tooLarge };
  const text = await request.text();
  if (Buffer.byteLength(text, "utf8") > MAX_API_BODY_BYTES) return { ok: false, response: tooLarge };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, response: problem(400, "invalid-json", "The request body must be JSON") };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
  return { ok: false, response: problem(400, "invalid-request", problems) };
}

function outcomeResponse(result: RemediationResult): HttpResponseInit {
  return { status: 200, jsonBody: result };
}

function problem(status: number, code: string, message: string): HttpResponseInit {
  return { status, jsonBody: { error: { code, message } } };
}
