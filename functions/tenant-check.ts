import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { logLine } from "../shared/logging/log-text.js";
import { isGuid } from "../shared/model/ids.js";
import { functionApp } from "../shared/app/wiring.js";
import { checkAndStoreReadiness, type OnboardingDeps } from "../shared/onboarding/run.js";

/**
 * `POST tenants/{tenantId}/check` (function key): the onboarding check of a registered tenant
 * (shared/onboarding/check.ts), stored on its record and answered as it is: 200 with the report,
 * whether or not the tenant is ready (`sweepReady`, and per feature `status`). Reads only; POST
 * because it signs in, makes Graph reads and stores the result. 400 for a malformed tenant id,
 * 404 for an unregistered tenant.
 */
export const checkTenantHttp = (request: HttpRequest, context: InvocationContext) => handleCheckTenant(functionApp(), request, context);

export async function handleCheckTenant(deps: OnboardingDeps, request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const tenantId = request.params.tenantId ?? "";
  if (!isGuid(tenantId)) return problem(400, "bad-tenant-id", "tenantId in the route must be a tenant id (GUID)");
  // Registered as typed; ids are GUIDs, so a lower-case route finds an upper-case registration too.
  const record = (await deps.tenants.get(tenantId)) ?? (await deps.tenants.get(tenantId.toLowerCase()));
  if (!record) return problem(404, "unknown-tenant", `Tenant ${tenantId} is not registered`);
  const { report } = await checkAndStoreReadiness(deps, record.tenantId);
  context.log(
    logLine`onboarding check of tenant ${record.tenantId}: ${report.sweepReady ? "sweep ready" : "sweep NOT ready"}; ${report.summary}`,
  );
  return { status: 200, jsonBody: report };
}

function problem(status: number, code: string, message: string): HttpResponseInit {
  return { status, jsonBody: { error: { code, message } } };
}
