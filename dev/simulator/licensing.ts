/**
 * Licence gates, per tenant, as Graph applies them (graph-facts §1–3): signInActivity and the
 * authentication-methods report need P1 (403 on Free), PIM eligibility needs P2 (400), and
 * Conditional Access listing needs P1 (403 on Free; the code is the simulator's choice, see README).
 */
import { graphErrors } from "./errors.js";
import type { TenantState } from "./state/tenant-state.js";

export function requirePremium(tenant: TenantState): void {
  if (tenant.license === "free") throw graphErrors.nonPremiumTenant();
}

export function requireP2(tenant: TenantState): void {
  if (tenant.license !== "p2") throw graphErrors.p2Required();
}

export function requireConditionalAccessLicense(tenant: TenantState): void {
  if (tenant.license === "free") throw graphErrors.conditionalAccessUnlicensed();
}
