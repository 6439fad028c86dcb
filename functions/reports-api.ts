/**
 * The findings API, JSON or CSV (`Accept: text/csv` or `?format=csv`): the fleet's tenants with
 * their summaries, one tenant's findings and events (paged, opaque continuation), a run, and the
 * risk register's accept and revoke. Anonymous at the Functions host: a person signed in through App
 * Service Authentication with the app role Reports.Read (Risks.Accept to accept), or a caller app's
 * Entra token with Findings.Read (shared/http/principal.ts). Errors are RFC 9457 problem details
 * naming each invalid parameter; an unknown tenant, or one the caller does not reach, is 404.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { z } from "zod";
import { functionApp, type App } from "../shared/app/wiring.js";
import { CONTROLS } from "../shared/controls/index.js";
import { isCrossSite } from "../shared/http/csrf.js";
import { apiReader, type Reader, type ReportPermission } from "../shared/http/principal.js";
import { fieldErrors, invalidRequest, jsonResponse, parseJsonBody, problemResponse } from "../shared/http/problem.js";
import { logLine } from "../shared/logging/log-text.js";
import { CONTROL_IDS } from "../shared/model/findings.js";
import type { Acceptance, FindingEvent } from "../shared/model/stored.js";
import type { StoredTenant } from "../shared/storage/tenants.js";
import { CSV_CONTENT_TYPE, eventsCsv, findingsCsv } from "../shared/reports/csv.js";
import {
  allEvents,
  allFindings,
  ContinuationError,
  eventsPage,
  findingsPage,
  fleet,
  FINDING_FILTERS,
  type ReportedFinding,
} from "../shared/reports/queries.js";
import { acceptRisk, revokeRisk, type RiskDecision } from "../shared/reports/risk-register.js";
import { isRunId } from "../shared/storage/keys.js";

/** An accept or revoke body is a few short fields. */
const MAX_BODY_BYTES = 16 * 1024;

const isoInstant = z.iso.datetime({ offset: true, error: "must be an ISO 8601 date and time, e.g. 2026-12-01T00:00:00Z" });
const format = z.enum(["json", "csv"]).optional();
const pageSize = z.coerce
  .number()
  .int("must be a whole number")
  .min(1, "must be at least 1")
  .max(1000, "must be at most 1000")
  .default(100);
const continuation = z.string().max(4096).optional();

const FindingsQuery = z.strictObject({
  control: z.enum(CONTROL_IDS).optional(),
  status: z.enum(FINDING_FILTERS).optional(),
  since: isoInstant.optional(),
  pageSize,
  continuation,
  format,
});
const EventsQuery = z.strictObject({ since: isoInstant.optional(), pageSize, continuation, format });

const AcceptBody = z.strictObject({
  control: z.unknown(),
  subjectId: z.unknown(),
  reason: z.unknown(),
  expiresAt: z.unknown().optional(),
  expiresInDays: z.unknown().optional(),
});
const RevokeBody = z.strictObject({ control: z.unknown(), subjectId: z.unknown() });

export const listTenantsApi = (request: HttpRequest, context: InvocationContext) =>
  guarded(context, () => handleTenants(functionApp(), request));
export const listFindingsApi = (request: HttpRequest, context: InvocationContext) =>
  guarded(context, () => handleFindings(functionApp(), request));
export const listEventsApi = (request: HttpRequest, context: InvocationContext) =>
  guarded(context, () => handleEvents(functionApp(), request));
export const getRunApi = (request: HttpRequest, context: InvocationContext) => guarded(context, () => handleRun(functionApp(), request));
export const acceptRiskApi = (request: HttpRequest, context: InvocationContext) =>
  guarded(context, () => handleDecision(functionApp(), request, context, "accept"));
export const revokeRiskApi = (request: HttpRequest, context: InvocationContext) =>
  guarded(context, () => handleDecision(functionApp(), request, context, "revoke"));

type Authorized = { readonly ok: true; readonly reader: Reader } | { readonly ok: false; readonly response: HttpResponseInit };

async function authorize(app: App, request: HttpRequest, permission: ReportPermission): Promise<Authorized> {
  const checked = await apiReader(request, permission, { platformAuth: app.platformAuth, callerAuth: app.callerAuth });
  if (checked.ok) return checked;
  if (checked.response) return { ok: false, response: checked.response };
  const kind = checked.status === 401 ? "unauthenticated" : checked.status === 403 ? "forbidden" : "authentication-off";
  const title = checked.status === 401 ? "Sign-in required" : checked.status === 403 ? "Role required" : "Authentication not configured";
  const headers: Record<string, string> = checked.status === 401 ? { "WWW-Authenticate": 'Bearer realm="tenant-patrol"' } : {};
  return { ok: false, response: problemResponse(checked.status, kind, title, checked.message, { headers }) };
}

/** GET tenants → every tenant the reader reaches, with its summary (no finding is read). */
async function handleTenants(app: App, request: HttpRequest): Promise<HttpResponseInit> {
  const auth = await authorize(app, request, "read");
  if (!auth.ok) return auth.response;
  const tenants = await fleet(app, (tenantId) => auth.reader.reaches(tenantId));
  return jsonResponse(200, {
    tenants: tenants.map(({ tenantId, displayName, summary }) => ({ tenantId, displayName, summary: summary ?? null })),
  });
}

/** GET tenants/{tenantId}/findings → one page (JSON), or every matching finding (CSV). */
async function handleFindings(app: App, request: HttpRequest): Promise<HttpResponseInit> {
  const auth = await authorize(app, request, "read");
  if (!auth.ok) return auth.response;
  const query = FindingsQuery.safeParse(Object.fromEntries(request.query));
  if (!query.success) return invalidRequest(fieldErrors(query.error, "query."));
  const tenant = await reachableTenant(app, auth.reader, request.params.tenantId ?? "");
  if (!tenant) return unknownTenant(request.params.tenantId ?? "");
  const { since, format: asked, ...rest } = query.data;
  const findingsRequest = { ...rest, ...(since ? { since: new Date(since) } : {}) };
  const now = new Date();
  return withContinuation(async () => {
    if (wantsCsv(request, asked)) {
      const items = await allFindings(app, tenant.tenantId, findingsRequest, now);
      return csvResponse(findingsCsv(items, true), `findings-${tenant.tenantId}.csv`);
    }
    const page = await findingsPage(app, tenant.tenantId, findingsRequest, now);
    return jsonResponse(200, { items: page.items.map(findingView), continuation: page.continuation ?? null });
  });
}

/** GET tenants/{tenantId}/events?since= → the tenant's events since then (default: 30 days), oldest first. */
async function handleEvents(app: App, request: HttpRequest): Promise<HttpResponseInit> {
  const auth = await authorize(app, request, "read");
  if (!auth.ok) return auth.response;
  const query = EventsQuery.safeParse(Object.fromEntries(request.query));
  if (!query.success) return invalidRequest(fieldErrors(query.error, "query."));
  const tenant = await reachableTenant(app, auth.reader, request.params.tenantId ?? "");
  if (!tenant) return unknownTenant(request.params.tenantId ?? "");
  const since = query.data.since ? new Date(query.data.since) : undefined;
  const now = new Date();
  return withContinuation(async () => {
    if (wantsCsv(request, query.data.format)) {
      return csvResponse(eventsCsv(await allEvents(app, tenant.tenantId, since, now), true), `events-${tenant.tenantId}.csv`);
    }
    const { pageSize, continuation } = query.data;
    const page = await eventsPage(
      app,
      tenant.tenantId,
      { ...(since ? { since } : {}), pageSize, ...(continuation ? { continuation } : {}) },
      now,
    );
    return jsonResponse(200, { items: page.items.map(eventView), continuation: page.continuation ?? null });
  });
}

/**
 * GET runs/{runId} → the sweep and each of its tenants' runs, both limited to the tenants the reader
 * reaches (a caller app scoped to one tenant learns nothing of the fleet's size).
 */
async function handleRun(app: App, request: HttpRequest): Promise<HttpResponseInit> {
  const auth = await authorize(app, request, "read");
  if (!auth.ok) return auth.response;
  const runId = request.params.runId ?? "";
  if (!isRunId(runId)) return invalidRequest([{ field: "path.runId", message: "must be a run id such as 20261201T020000.000Z" }]);
  const header = await app.runs.getRun(runId);
  if (!header) return problemResponse(404, "unknown-run", "Unknown run", `No sweep ${runId}.`);
  const tenants = (await app.runs.listTenantRuns(runId)).filter((t) => auth.reader.reaches(t.tenantId));
  return jsonResponse(200, { run: { ...header, tenantCount: tenants.length }, tenants });
}

/** POST tenants/{tenantId}/acceptances | acceptances/revoke (JSON). */
async function handleDecision(
  app: App,
  request: HttpRequest,
  context: InvocationContext,
  kind: "accept" | "revoke",
): Promise<HttpResponseInit> {
  const auth = await authorize(app, request, "accept");
  if (!auth.ok) return auth.response;
  if (!auth.reader.mayAccept)
    return problemResponse(403, "forbidden", "Role required", "Accepting and revoking risks needs the app role Risks.Accept.");
  // A signed-in person's session is a cookie: a request another site's page makes is refused, and only a
  // JSON body (which a cross-site form cannot send without CORS) is taken.
  if (auth.reader.kind === "person" && isCrossSite(request, publicOrigin(app))) {
    return problemResponse(
      403,
      "cross-site",
      "Cross-site request",
      "Risks are accepted and revoked from tenant-patrol's own pages or by API callers.",
    );
  }
  if (!/^application\/json\b/i.test(request.headers.get("content-type") ?? "")) {
    return problemResponse(415, "unsupported-media-type", "JSON required", "Send the body as application/json.");
  }
  const tenant = await reachableTenant(app, auth.reader, request.params.tenantId ?? "");
  if (!tenant) return unknownTenant(request.params.tenantId ?? "");
  const now = new Date();
  let decision: RiskDecision;
  if (kind === "accept") {
    const body = await parseJsonBody(request, MAX_BODY_BYTES, AcceptBody);
    if (!body.ok) return body.response;
    decision = await acceptRisk(app, tenant.tenantId, body.value, auth.reader.name, now);
  } else {
    const body = await parseJsonBody(request, MAX_BODY_BYTES, RevokeBody);
    if (!body.ok) return body.response;
    decision = await revokeRisk(app, tenant.tenantId, body.value, auth.reader.name, now);
  }
  if (decision.outcome === "accepted" || decision.outcome === "revoked") {
    const { control, subjectId, expiresAt } = decision.acceptance;
    context.log(
      logLine`risk ${decision.outcome} by ${auth.reader.name} in ${tenant.tenantId}: ${control} ${subjectId ?? "(tenant)"} until ${expiresAt.toISOString()}`,
    );
  }
  return decisionResponse(decision);
}

export function decisionResponse(decision: RiskDecision): HttpResponseInit {
  switch (decision.outcome) {
    case "accepted":
      return jsonResponse(201, { acceptance: acceptanceView(decision.acceptance) });
    case "revoked":
      return jsonResponse(200, { revoked: acceptanceView(decision.acceptance) });
    case "invalid":
      return invalidRequest(decision.problems);
    case "conflict":
      return problemResponse(409, "conflict", "Conflict", decision.message);
    case "not-accepted":
      return problemResponse(404, "not-accepted", "No acceptance", decision.message);
  }
}

/** The registered tenant the reader may see, or undefined (unknown and unreachable look the same). */
export async function reachableTenant(app: Pick<App, "tenants">, reader: Reader, tenantId: string): Promise<StoredTenant | undefined> {
  if (!z.guid().safeParse(tenantId).success) return undefined;
  const tenant = (await app.tenants.get(tenantId)) ?? (await app.tenants.get(tenantId.toLowerCase()));
  return tenant && reader.reaches(tenant.tenantId) ? tenant : undefined;
}

function findingView({ finding, acceptance }: ReportedFinding) {
  const control = CONTROLS.find((c) => c.id === finding.control);
  return {
    control: finding.control,
    controlTitle: control?.title ?? finding.control,
    severity: finding.severity,
    subjectId: finding.subjectId,
    status: finding.status,
    state: finding.resolvedAt !== null || finding.status === "pass" ? "resolved" : acceptance ? "accepted" : "open",
    firstSeen: finding.firstSeen.toISOString(),
    lastSeen: finding.lastSeen.toISOString(),
    resolvedAt: finding.resolvedAt?.toISOString() ?? null,
    evidence: finding.detail,
    acceptance: acceptance ? acceptanceView(acceptance) : null,
  };
}

function acceptanceView(a: Acceptance) {
  return {
    control: a.control,
    subjectId: a.subjectId,
    reason: a.reason,
    acceptedBy: a.acceptedBy,
    acceptedAt: a.acceptedAt.toISOString(),
    expiresAt: a.expiresAt.toISOString(),
  };
}

function eventView(e: FindingEvent) {
  return {
    at: e.at.toISOString(),
    runId: e.runId,
    event: e.event,
    control: e.control,
    subjectId: e.subjectId,
    statusBefore: e.statusBefore,
    statusAfter: e.statusAfter,
    acceptance: e.acceptance ? { by: e.acceptance.by, reason: e.acceptance.reason, expiresAt: e.acceptance.expiresAt.toISOString() } : null,
  };
}

function wantsCsv(request: HttpRequest, asked: "json" | "csv" | undefined): boolean {
  if (asked !== undefined) return asked === "csv";
  return /\btext\/csv\b/i.test(request.headers.get("accept") ?? "");
}

function csvResponse(body: string, filename: string): HttpResponseInit {
  return {
    status: 200,
    headers: { "Content-Type": CSV_CONTENT_TYPE, "Content-Disposition": `attachment; filename="${filename}"`, "Cache-Control": "no-store" },
    body,
  };
}

/** Runs a paged read; a continuation this API did not hand out for this query is the caller's mistake (400). */
async function withContinuation(run: () => Promise<HttpResponseInit>): Promise<HttpResponseInit> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ContinuationError) return invalidRequest([{ field: "query.continuation", message: error.message }]);
    throw error;
  }
}

/** PUBLIC_BASE_URL's origin, when approvals (which set it) are configured. */
function publicOrigin(app: App): string | undefined {
  return app.approvalSettings && new URL(app.approvalSettings.publicBaseUrl).origin;
}

function unknownTenant(tenantId: string): HttpResponseInit {
  return problemResponse(
    404,
    "unknown-tenant",
    "Unknown tenant",
    `Tenant ${tenantId.slice(0, 64)} is not registered, or not yours to see.`,
  );
}

async function guarded(context: InvocationContext, handle: () => Promise<HttpResponseInit>): Promise<HttpResponseInit> {
  try {
    return await handle();
  } catch (error) {
    context.error("reports API failed", error);
    return problemResponse(500, "internal-error", "Internal error", "The request could not be completed; try again later.");
  }
}
