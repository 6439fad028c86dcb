import { GraphError } from "@microsoft/microsoft-graph-client";
import type { UnavailableReason } from "../model/snapshot.js";

/** Graph's 403 code for "no Entra ID P1/P2" on sign-in activity and the authentication-methods reports. */
export const NON_PREMIUM_TENANT = "Authentication_RequestFromNonPremiumTenantOrB2CTenant";

/** Graph's 400 for a nextLink whose $skiptoken has expired (collect/paged.ts starts that listing over). */
export const EXPIRED_PAGE_TOKEN = "Directory_ExpiredPageToken";

/** Graph's licence-gate answers (docs/reference/graph-facts.md §1–3). */
const LICENSE_CODES = new Set([NON_PREMIUM_TENANT, "AadPremiumLicenseRequired"]);
const PERMISSION_CODES = new Set(["Authorization_RequestDenied", "Forbidden", "AccessDenied", "Authorization_IdentityNotFound"]);

export function isGraphError(e: unknown): e is GraphError {
  return e instanceof GraphError;
}

/** Which closed-list reason explains a failed read: licence gap, missing permission, or anything else. */
export function unavailableReason(e: unknown): UnavailableReason {
  if (!isGraphError(e)) return "error";
  if (e.code && LICENSE_CODES.has(e.code)) return "license";
  if (e.statusCode === 403 || (e.code && PERMISSION_CODES.has(e.code))) return "permission";
  return "error";
}

/** One line a human can act on, without tokens or response bodies. */
export function describeError(e: unknown): string {
  if (isAuthenticationFailure(e) && !(isGraphError(e) && e.statusCode === 401)) {
    return `Could not sign in to the tenant (is the app registration consented there?): ${e instanceof Error ? e.message : String(e)}`;
  }
  if (isGraphError(e)) {
    const parts = [`Graph ${e.statusCode > 0 ? e.statusCode : "request failed"}`];
    if (e.code) parts.push(e.code);
    if (e.message) parts.push(e.message);
    if (e.requestId) parts.push(`request-id ${e.requestId}`);
    return parts.join(": ");
  }
  if (e instanceof Error) return e.message;
  return String(e);
}

/** @azure/identity's error names; the Graph SDK wraps them in a GraphError whose code is the name. */
const CREDENTIAL_ERRORS = new Set(["AuthenticationError", "CredentialUnavailableError", "AuthenticationRequiredError"]);

/** Errors that mean nothing in this tenant can be read: stop the scan rather than mark every source failed. */
export function isAuthenticationFailure(e: unknown): boolean {
  if (isGraphError(e)) return e.statusCode === 401 || (e.code !== null && CREDENTIAL_ERRORS.has(e.code));
  return e instanceof Error && CREDENTIAL_ERRORS.has(e.name);
}

/**
 * Like describeError, for text people outside the operator team see (approval pages, API
 * answers, audit messages): Graph's own code and message are fine; other exceptions are named
 * by type only, since their messages can carry internals.
 */
export function describeErrorPublicly(e: unknown): string {
  if (isGraphError(e) || isAuthenticationFailure(e)) return describeError(e);
  return `an unexpected ${e instanceof Error ? e.name : "error"} occurred (details in the function log)`;
}
