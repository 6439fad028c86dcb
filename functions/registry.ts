import type { HttpHandler, HttpMethod, StorageQueueHandler, TimerHandler } from "@azure/functions";
import { SEND_APPROVALS_QUEUE } from "../shared/queue/approvals-message.js";
import { NOTIFY_DELIVERY_QUEUE, NOTIFY_EVENTS_QUEUE } from "../shared/queue/notify-message.js";
import { SCAN_CONTINUE_QUEUE, SCAN_LONG_QUEUE, SCAN_QUEUE } from "../shared/queue/scan-message.js";
import { approvalPageGet, approvalPagePost } from "./approval-page.js";
import { nightlySweep } from "./nightly-sweep.js";
import { serveOpenApi } from "./openapi.js";
import { notifyDeliveryFromQueue, notifyEventsFromQueue } from "./notify-events.js";
import { acceptFromReport, fleetOverview, revokeFromReport, tenantReport } from "./report-pages.js";
import { acceptRiskApi, getRunApi, listEventsApi, listFindingsApi, listTenantsApi, revokeRiskApi } from "./reports-api.js";
import { getRemediation, requestRemediation, undoRemediation } from "./remediations-api.js";
import { getRemediationV2, listRemediationsV2, submitRemediationV2, undoRemediationV2 } from "./remediations-api-v2.js";
import { scanTenantFromQueue } from "./scan-tenant.js";
import { sendApprovalsFromQueue } from "./send-approvals.js";
import { checkTenantHttp } from "./tenant-check.js";

/**
 * Every function of the app, in one table: the Azure registration (functions/index.ts) and the
 * local host (dev/local-host) both read it, so routes and triggers have one source of truth.
 */
export type FunctionDefinition =
  | { readonly name: string; readonly trigger: "timer"; readonly schedule: string; readonly handler: TimerHandler }
  | { readonly name: string; readonly trigger: "queue"; readonly queueName: string; readonly handler: StorageQueueHandler }
  | {
      readonly name: string;
      readonly trigger: "http";
      readonly route: string;
      readonly methods: readonly HttpMethod[];
      readonly authLevel: "anonymous" | "function" | "admin";
      readonly handler: HttpHandler;
    };

/** The storage account the queue triggers listen on (an app setting name, as Azure expects). */
export const STORAGE_CONNECTION = "AzureWebJobsStorage";

export const FUNCTIONS: readonly FunctionDefinition[] = [
  // %SWEEP_SCHEDULE% is resolved by the Functions host from app settings (default in README).
  { name: "nightly-sweep", trigger: "timer", schedule: "%SWEEP_SCHEDULE%", handler: nightlySweep },
  // Three lanes for one handler, each with the host's concurrency of its own (shared/queue/scan-message.ts):
  // quick scans, scans that pace themselves for minutes, and scans continued after the time budget.
  { name: "scan-tenant", trigger: "queue", queueName: SCAN_QUEUE, handler: scanTenantFromQueue },
  { name: "scan-tenant-long", trigger: "queue", queueName: SCAN_LONG_QUEUE, handler: scanTenantFromQueue },
  { name: "scan-tenant-continue", trigger: "queue", queueName: SCAN_CONTINUE_QUEUE, handler: scanTenantFromQueue },
  { name: "send-approvals", trigger: "queue", queueName: SEND_APPROVALS_QUEUE, handler: sendApprovalsFromQueue },
  // Outbound events (shared/notify/): a run's fan-out to its sinks, and one delivery per sink with its own backoff.
  { name: "notify-events", trigger: "queue", queueName: NOTIFY_EVENTS_QUEUE, handler: notifyEventsFromQueue },
  { name: "notify-delivery", trigger: "queue", queueName: NOTIFY_DELIVERY_QUEUE, handler: notifyDeliveryFromQueue },
  // Anonymous on purpose: the signed, expiring link token is the credential (functions/approval-page.ts).
  {
    name: "approval-page",
    trigger: "http",
    route: "approvals/{token}",
    methods: ["GET"],
    authLevel: "anonymous",
    handler: approvalPageGet,
  },
  {
    name: "approval-decision",
    trigger: "http",
    route: "approvals/{token}",
    methods: ["POST"],
    authLevel: "anonymous",
    handler: approvalPagePost,
  },
  // The ticketing API: function keys (x-functions-key header or ?code=) in Azure and on the local host.
  {
    name: "remediation-request",
    trigger: "http",
    route: "tenants/{tenantId}/remediations",
    methods: ["POST"],
    authLevel: "function",
    handler: requestRemediation,
  },
  {
    name: "remediation-status",
    trigger: "http",
    route: "tenants/{tenantId}/remediations/{auditId}",
    methods: ["GET"],
    authLevel: "function",
    handler: getRemediation,
  },
  {
    name: "remediation-undo",
    trigger: "http",
    route: "tenants/{tenantId}/remediations/{auditId}/undo",
    methods: ["POST"],
    authLevel: "function",
    handler: undoRemediation,
  },
  // The ticketing API, version 2 (openapi/remediations.openapi.json). Anonymous at the host on purpose: callers
  // hold Entra tokens, not function keys, and the handlers authenticate them (shared/http/callers.ts).
  {
    name: "remediation-v2-submit",
    trigger: "http",
    route: "remediations",
    methods: ["POST"],
    authLevel: "anonymous",
    handler: submitRemediationV2,
  },
  {
    name: "remediation-v2-list",
    trigger: "http",
    route: "remediations",
    methods: ["GET"],
    authLevel: "anonymous",
    handler: listRemediationsV2,
  },
  {
    name: "remediation-v2-status",
    trigger: "http",
    route: "remediations/{id}",
    methods: ["GET"],
    authLevel: "anonymous",
    handler: getRemediationV2,
  },
  {
    name: "remediation-v2-undo",
    trigger: "http",
    route: "remediations/{id}/undo",
    methods: ["POST"],
    authLevel: "anonymous",
    handler: undoRemediationV2,
  },
  // The API's contract, anonymous: it holds no secret.
  { name: "openapi", trigger: "http", route: "openapi.json", methods: ["GET"], authLevel: "anonymous", handler: serveOpenApi },
  // The findings API (JSON / CSV) and the risk register. Anonymous at the host: the handlers require a person signed in
  // through App Service Authentication with an app role, or a caller app's Entra token (shared/http/principal.ts).
  { name: "reports-tenants", trigger: "http", route: "tenants", methods: ["GET"], authLevel: "anonymous", handler: listTenantsApi },
  {
    name: "reports-findings",
    trigger: "http",
    route: "tenants/{tenantId}/findings",
    methods: ["GET"],
    authLevel: "anonymous",
    handler: listFindingsApi,
  },
  {
    name: "reports-events",
    trigger: "http",
    route: "tenants/{tenantId}/events",
    methods: ["GET"],
    authLevel: "anonymous",
    handler: listEventsApi,
  },
  { name: "reports-run", trigger: "http", route: "runs/{runId}", methods: ["GET"], authLevel: "anonymous", handler: getRunApi },
  {
    name: "risk-accept",
    trigger: "http",
    route: "tenants/{tenantId}/acceptances",
    methods: ["POST"],
    authLevel: "anonymous",
    handler: acceptRiskApi,
  },
  {
    name: "risk-revoke",
    trigger: "http",
    route: "tenants/{tenantId}/acceptances/revoke",
    methods: ["POST"],
    authLevel: "anonymous",
    handler: revokeRiskApi,
  },
  // The report pages: anonymous at the host, the handlers require a person signed in with an app role (as above).
  { name: "reports-overview", trigger: "http", route: "reports", methods: ["GET"], authLevel: "anonymous", handler: fleetOverview },
  {
    name: "reports-tenant",
    trigger: "http",
    route: "reports/tenants/{tenantId}",
    methods: ["GET"],
    authLevel: "anonymous",
    handler: tenantReport,
  },
  {
    name: "reports-accept",
    trigger: "http",
    route: "reports/tenants/{tenantId}/accept",
    methods: ["POST"],
    authLevel: "anonymous",
    handler: acceptFromReport,
  },
  {
    name: "reports-revoke",
    trigger: "http",
    route: "reports/tenants/{tenantId}/revoke",
    methods: ["POST"],
    authLevel: "anonymous",
    handler: revokeFromReport,
  },
  // Onboarding: the readiness check of a registered tenant (shared/onboarding/), function keys like the ticketing API.
  {
    name: "tenant-check",
    trigger: "http",
    route: "tenants/{tenantId}/check",
    methods: ["POST"],
    authLevel: "function",
    handler: checkTenantHttp,
  },
];
