/**
 * The report pages, server-rendered: `reports` (the fleet overview, from the summary rows only) and
 * `reports/tenants/{tenantId}` (one tenant's report), with the risk register's accept and revoke as
 * form posts (CSRF-protected, then 303 back to the report). Anonymous at the Functions host: the
 * person must be signed in through App Service Authentication with the app role Reports.Read
 * (Risks.Accept for the forms); see shared/http/principal.ts. Status codes: 200 page, 303 after a
 * decision, 400 bad query or form (the report again, the problem named), 401 not signed in (a
 * sign-in link), 403 no role or a failed CSRF check, 404 unknown tenant, 503 sign-in or forms not
 * configured.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { functionApp, type App } from "../shared/app/wiring.js";
import { checkCsrf, CSRF_FIELD, formCsrfOptions, issueCsrf, type CsrfOptions } from "../shared/http/csrf.js";
import { htmlResponse } from "../shared/http/html-response.js";
import { signedInPerson, type Reader } from "../shared/http/principal.js";
import { logLine } from "../shared/logging/log-text.js";
import { CONTROL_IDS, type ControlId } from "../shared/model/findings.js";
import { MAX_ACCEPTANCE_DAYS } from "../shared/model/stored.js";
import { acceptancesInForce, fleet, workDone } from "../shared/reports/queries.js";
import { acceptRisk, revokeRisk, type RiskDecision } from "../shared/reports/risk-register.js";
import type { StoredTenant } from "../shared/storage/tenants.js";
import { fleetOverviewPage } from "../shared/views/fleet-overview.js";
import { OVERVIEW_SORTS, type OverviewFilter, type OverviewSort, type RiskForms } from "../shared/views/report-inputs.js";
import { reportProblemPage, type ReportProblem } from "../shared/views/report-problem.js";
import { tenantReportPage } from "../shared/views/tenant-report.js";
import { reachableTenant } from "./reports-api.js";

const MAX_FORM_BYTES = 8 * 1024;
const DEFAULT_ACCEPT_DAYS = 90;
const REPORTS = "/api/reports";

const reportPath = (tenantId: string) => `${REPORTS}/tenants/${encodeURIComponent(tenantId)}`;
const csvPath = (tenantId: string) => `/api/tenants/${encodeURIComponent(tenantId)}/findings?format=csv`;

export const fleetOverview = (request: HttpRequest, context: InvocationContext) =>
  guarded(context, () => handleOverview(functionApp(), request));
export const tenantReport = (request: HttpRequest, context: InvocationContext) =>
  guarded(context, () => handleReport(functionApp(), request));
export const acceptFromReport = (request: HttpRequest, context: InvocationContext) =>
  guarded(context, () => handleForm(functionApp(), request, context, "accept"));
export const revokeFromReport = (request: HttpRequest, context: InvocationContext) =>
  guarded(context, () => handleForm(functionApp(), request, context, "revoke"));

async function handleOverview(app: App, request: HttpRequest): Promise<HttpResponseInit> {
  const reader = signedIn(app, request, "read");
  if (!reader.ok) return reader.response;
  const filter = overviewFilter(request.query);
  if (typeof filter === "string")
    return problem(400, { tone: "warning", title: "Bad filter", message: filter, action: { href: REPORTS, label: "Show every tenant" } });
  const tenants = await fleet(app, () => true);
  const page = fleetOverviewPage({
    tenants,
    filter,
    signedInAs: reader.reader.name,
    now: new Date(),
    reportHref: reportPath,
    csvHref: csvPath,
  });
  return htmlResponse(200, page);
}

async function handleReport(app: App, request: HttpRequest): Promise<HttpResponseInit> {
  const reader = signedIn(app, request, "read");
  if (!reader.ok) return reader.response;
  const tenant = await reachableTenant(app, reader.reader, request.params.tenantId ?? "");
  if (!tenant) return unknownTenant();
  const done = request.query.get("done");
  const notice =
    done === "accepted"
      ? "The risk is accepted; the finding is listed under Accepted risks."
      : done === "revoked"
        ? "The acceptance is revoked; the finding is open again."
        : undefined;
  return reportPage(app, request, tenant, reader.reader, 200, notice && { tone: "success", text: notice });
}

async function handleForm(
  app: App,
  request: HttpRequest,
  context: InvocationContext,
  kind: "accept" | "revoke",
): Promise<HttpResponseInit> {
  const reader = signedIn(app, request, "accept");
  if (!reader.ok) return reader.response;
  const csrf = csrfOptions(app);
  if (!csrf) return formsOff();
  const tenant = await reachableTenant(app, reader.reader, request.params.tenantId ?? "");
  if (!tenant) return unknownTenant();
  const form = await readForm(request);
  if (!form)
    return problem(400, {
      tone: "danger",
      title: "Bad request",
      message: "The form did not arrive as a form. Nothing was changed.",
      action: { href: reportPath(tenant.tenantId), label: "Back to the report" },
    });
  const checked = checkCsrf(request, form, csrfBinding(tenant.tenantId, reader.reader), csrf);
  if (!checked.ok) {
    context.warn(logLine`report form refused: ${checked.reason}`);
    return problem(403, {
      tone: "warning",
      title: "Please try again",
      message: "The form did not come from this report in this browser. Nothing was changed.",
      action: { href: reportPath(tenant.tenantId), label: "Open the report again" },
    });
  }
  const ref = { control: form.get("control"), subjectId: form.get("subjectId") };
  const now = new Date();
  const decision =
    kind === "accept"
      ? await acceptRisk(
          app,
          tenant.tenantId,
          { ...ref, reason: form.get("reason"), expiresInDays: form.get("expiresInDays") ?? undefined },
          reader.reader.name,
          now,
        )
      : await revokeRisk(app, tenant.tenantId, ref, reader.reader.name, now);
  if ("acceptance" in decision) {
    context.log(
      logLine`risk ${decision.outcome} by ${reader.reader.name} in ${tenant.tenantId}: ${decision.acceptance.control} ${decision.acceptance.subjectId ?? "(tenant)"}`,
    );
    return { status: 303, headers: { Location: `${reportPath(tenant.tenantId)}?done=${decision.outcome}`, "Cache-Control": "no-store" } };
  }
  return reportPage(app, request, tenant, reader.reader, decision.outcome === "invalid" ? 400 : 409, {
    tone: "danger",
    text: `Nothing was changed: ${describe(decision)}`,
  });
}

async function reportPage(
  app: App,
  request: HttpRequest,
  tenant: StoredTenant,
  reader: Reader,
  status: number,
  notice: { tone: "success" | "danger"; text: string } | undefined,
): Promise<HttpResponseInit> {
  const now = new Date();
  const [summary, findings, acceptances, work] = await Promise.all([
    app.summaries.get(tenant.tenantId),
    app.findings.listForTenant(tenant.tenantId),
    acceptancesInForce(app, tenant.tenantId, now),
    workDone(app, tenant.tenantId),
  ]);
  const lastRunEvents = summary?.lastRun ? await app.events.listForRun(tenant.tenantId, summary.lastRun.runId) : [];
  const csrf = reader.mayAccept ? csrfOptions(app) : undefined;
  const issued = csrf && issueCsrf(request, csrfBinding(tenant.tenantId, reader), csrf);
  const forms: RiskForms | undefined = issued && {
    csrfFieldName: CSRF_FIELD,
    csrfValue: issued.field,
    acceptAction: `${reportPath(tenant.tenantId)}/accept`,
    revokeAction: `${reportPath(tenant.tenantId)}/revoke`,
    maxDays: MAX_ACCEPTANCE_DAYS,
    defaultDays: DEFAULT_ACCEPT_DAYS,
  };
  const page = tenantReportPage({
    tenantId: tenant.tenantId,
    displayName: tenant.displayName,
    summary,
    findings,
    acceptances,
    lastRunEvents,
    exclusions: tenant.config.exclusions,
    workDone: work,
    forms,
    notice,
    signedInAs: reader.name,
    now,
    overviewHref: REPORTS,
    csvHref: csvPath(tenant.tenantId),
  });
  return htmlResponse(status, page, issued ? { cookies: [issued.cookie] } : {});
}

type SignedIn = { readonly ok: true; readonly reader: Reader } | { readonly ok: false; readonly response: HttpResponseInit };

function signedIn(app: App, request: HttpRequest, permission: "read" | "accept"): SignedIn {
  const checked = signedInPerson(request, permission, { platformAuth: app.platformAuth });
  if (checked.ok) return checked;
  switch (checked.status) {
    case 401: {
      const back = new URL(request.url).pathname;
      const login = `/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(back)}`;
      return {
        ok: false,
        response: problem(401, {
          tone: "info",
          title: "Sign in",
          message: checked.message,
          action: { href: login, label: "Sign in with Microsoft" },
        }),
      };
    }
    case 403:
      return { ok: false, response: problem(403, { tone: "warning", title: "No access", message: checked.message }) };
    case 503:
      return { ok: false, response: problem(503, { tone: "warning", title: "Sign-in is not set up", message: checked.message }) };
  }
}

/** The overview's query, or the problem with it. */
function overviewFilter(query: URLSearchParams): OverviewFilter | string {
  const control = query.get("control") || null;
  if (control !== null && !CONTROL_IDS.includes(control as ControlId))
    return `There is no control ${JSON.stringify(control.slice(0, 60))}.`;
  const sort = query.get("sort") || "name";
  if (!OVERVIEW_SORTS.includes(sort as OverviewSort)) return `Sort by one of: ${OVERVIEW_SORTS.join(", ")}.`;
  const name = (query.get("name") ?? "").slice(0, 200);
  return { failingOnly: query.get("failing") === "1", control: control as ControlId | null, name, sort: sort as OverviewSort };
}

/** The forms' protection, derived like the approval form's; without approvals set up (no signing key) there are no forms. */
function csrfOptions(app: App): CsrfOptions | undefined {
  return app.approvalSettings && formCsrfOptions(app.approvalSettings, "report-form");
}

/** A form's field holds for one tenant and one person. */
function csrfBinding(tenantId: string, reader: Reader): string {
  return `report\n${tenantId}\n${reader.name}`;
}

function describe(decision: Exclude<RiskDecision, { outcome: "accepted" | "revoked" }>): string {
  return decision.outcome === "invalid" ? decision.problems.map((p) => `${p.field} ${p.message}`).join("; ") : decision.message;
}

async function readForm(request: HttpRequest): Promise<URLSearchParams | undefined> {
  if (!/^application\/x-www-form-urlencoded\b/i.test(request.headers.get("content-type") ?? "")) return undefined;
  if (Number(request.headers.get("content-length") ?? "0") > MAX_FORM_BYTES) return undefined;
  const text = await request.text();
  return text.length > MAX_FORM_BYTES ? undefined : new URLSearchParams(text);
}

function problem(status: number, page: ReportProblem): HttpResponseInit {
  return htmlResponse(status, reportProblemPage(page));
}

function unknownTenant(): HttpResponseInit {
  return problem(404, {
    tone: "warning",
    title: "Tenant not found",
    message: "No registered tenant has this id.",
    action: { href: REPORTS, label: "All tenants" },
  });
}

function formsOff(): HttpResponseInit {
  return problem(503, {
    tone: "warning",
    title: "Forms are not set up",
    message:
      "Accepting risks from the report needs APPROVAL_SIGNING_KEYS and PUBLIC_BASE_URL (its form protection is derived from them); the API takes them meanwhile.",
  });
}

async function guarded(context: InvocationContext, handle: () => Promise<HttpResponseInit>): Promise<HttpResponseInit> {
  try {
    return await handle();
  } catch (error) {
    context.error("report page failed", error);
    return problem(500, {
      tone: "danger",
      title: "Something went wrong",
      message: "The page could not be built. Try again in a few minutes.",
    });
  }
}
