/**
 * The onboarding check before a registered tenant's first sweep (shared/sweep/scan-tenant.ts calls
 * it where a scan begins). A tenant with no stored check result is checked first, and so is one whose
 * last check found the sweep not ready (a fix made since shows the next night; a dozen reads).
 *
 * The check never stops the scan: the scan reads what it may and records its own gaps as it always
 * does (`unknown` rows with reason permission or licence, a partial or failed run), so a tenant with
 * a missing permission still gets every finding the granted ones allow. What the check adds is
 * stored on the tenant's record and noted on the run. A check that fails (a bug, Graph down) is
 * noted and the scan goes on; only a storage failure propagates, as it would stop the scan anyway
 * and the queue retries the message.
 */
import { isRestError } from "@azure/core-rest-pipeline";
import { describeError } from "../graph/errors.js";
import type { StoredTenant } from "../storage/tenants.js";
import { checkAndStoreReadiness, type OnboardingDeps } from "./run.js";

/**
 * A note for the tenant's run, or undefined when nothing was checked or all is well. `record` is the
 * tenant's row as the scan read it (undefined when it is not registered).
 */
export async function checkBeforeScan(
  deps: OnboardingDeps,
  tenantId: string,
  record: StoredTenant | undefined,
  onProgress?: (message: string) => void,
): Promise<string | undefined> {
  // Tenants listed in TENANT_IDS without a record have nowhere to keep a result: not checked here.
  if (!record || record.readiness?.sweepReady === true) return undefined;
  onProgress?.(`checking ${tenantId} before its ${record.readiness ? "next" : "first"} sweep`);
  try {
    const { report } = await checkAndStoreReadiness(deps, tenantId);
    const gaps = report.features.filter((f) => f.status !== "ready" && f.status !== "not-needed");
    if (report.sweepReady && gaps.length === 0) return undefined;
    const verdict = report.sweepReady ? "the sweep runs, with gaps" : "the sweep is NOT ready";
    return `Onboarding check: ${verdict}: ${report.summary} (details: npm run tenants -- check ${tenantId})`;
  } catch (e) {
    if (isRestError(e)) throw e;
    return `Onboarding check could not run: ${describeError(e)}`;
  }
}
