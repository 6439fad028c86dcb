/**
 * The onboarding check with its result stored on the tenant's record. One entry for the CLI, the
 * HTTP endpoint and a new tenant's first sweep.
 */
import type { ReadinessReport } from "../model/readiness.js";
import type { TenantsRepository } from "../storage/tenants.js";

export interface OnboardingDeps {
  readonly tenants: Pick<TenantsRepository, "get" | "setReadiness">;
  /** The check of one tenant (check.ts) with the app's credential and settings (app/wiring.ts). */
  checkTenant(tenantId: string): Promise<ReadinessReport>;
}

export interface CheckedTenant {
  readonly report: ReadinessReport;
  /** False when the tenant is not registered (the report is then only returned). */
  readonly stored: boolean;
}

/** Checks the tenant (never writes to it), then stores the result on its record if it is registered. */
export async function checkAndStoreReadiness(deps: OnboardingDeps, tenantId: string): Promise<CheckedTenant> {
  const report = await deps.checkTenant(tenantId);
  const stored = await deps.tenants.setReadiness(tenantId, report);
  return { report, stored };
}
