/**
 * The onboarding check with the app's settings and services, and its result stored on the tenant's
 * record. One entry for the CLI, the HTTP endpoint and a new tenant's first sweep.
 */
import type { ReadinessReport } from "../model/readiness.js";
import type { SweepServices } from "../sweep/services.js";
import { checkTenantReadiness } from "./check.js";

export interface CheckedTenant {
  readonly report: ReadinessReport;
  /** False when the tenant is not registered (the report is then only returned). */
  readonly stored: boolean;
}

/** Checks the tenant (never writes to it), then stores the result on its record if it is registered. */
export async function checkAndStoreReadiness(services: SweepServices, tenantId: string): Promise<CheckedTenant> {
  const report = await checkTenant(services, tenantId);
  const stored = await services.tenants.setReadiness(tenantId, report);
  return { report, stored };
}

export function checkTenant(services: SweepServices, tenantId: string): Promise<ReadinessReport> {
  const { graph, approvals } = services.settings;
  return checkTenantReadiness({
    tenantId,
    access: services.tenantAccess(tenantId),
    appId: graph.credential?.clientId ?? "",
    graphBaseUrl: graph.baseUrl,
    authorityHost: graph.authorityHost,
    approvalsConfigured: approvals !== undefined,
    mailTenantId: approvals?.mailTenantId,
    licenseRetry: { backoffScale: graph.timeScale },
  });
}
