/**
 * A stored onboarding check that says the sweep is ready: what an onboarded tenant's record holds.
 * Tests and the benchmark that count a scan's own requests store it first, so a tenant's first
 * sweep does not also run the onboarding check (shared/onboarding/first-sweep.ts).
 */
import type { ReadinessReport } from "../../shared/model/readiness.js";

/** `appId`: the app registration the check would have signed in as. */
export function onboardedReport(tenantId: string, appId: string): ReadinessReport {
  return {
    version: 1,
    tenantId,
    appId,
    checkedAt: "2026-11-01T00:00:00.000Z",
    signedIn: true,
    signInError: null,
    grantedPermissions: [],
    servicePrincipalId: null,
    appDirectoryRoles: null,
    probes: [],
    features: [],
    sweepReady: true,
    summary: "onboarded before the run",
  };
}
