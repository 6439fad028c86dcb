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

/** A failed Graph answer: an HTTP response, or one item of a `$batch` response. */
export interface GraphAnswer {
  readonly status: number;
  /** The body as JSON text (an HTTP response's), or already parsed (a `$batch` item's); empty or absent when Graph sent none. */
  readonly body?: unknown;
  /** Header names in any case (a `$batch` item's are a plain object). */
  readonly headers?: Headers | Readonly<Record<string, string>>;
  /** The message when the body has none, e.g. the HTTP status text. */
  readonly fallbackMessage: string;
}

/**
 * The one parser of Graph's error body `{ error: { code, message, innerError: { "request-id", date } } }`
 * into a GraphError with the fields the SDK's own GraphErrorHandler fills. A field is taken only
 * when it has the type Graph documents, so a malformed body never yields a non-string code or
 * message (which would then pass for a Graph code); a body that is not JSON is kept in `body`.
 */
export function graphErrorFrom(answer: GraphAnswer): GraphError {
  const body = typeof answer.body === "string" ? parseJsonOrText(answer.body) : answer.body;
  const error = field(body, "error");
  const headers = new Headers(answer.headers);
  const graphError = new GraphError(answer.status, stringField(error, "message") ?? answer.fallbackMessage);
  graphError.code = stringField(error, "code");
  const inner = field(error, "innerError");
  graphError.requestId = stringField(inner, "request-id") ?? headers.get("request-id");
  const date = stringField(inner, "date");
  if (date !== null && !Number.isNaN(Date.parse(date))) graphError.date = new Date(date);
  graphError.headers = headers;
  graphError.body = typeof body === "string" ? body : JSON.stringify(body);
  return graphError;
}

function parseJsonOrText(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text; // not JSON: kept for debugging, the message stays the fallback
  }
}

function field(value: unknown, name: string): unknown {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[name] : undefined;
}

function stringField(value: unknown, name: string): string | null {
  const found = field(value, name);
  return typeof found === "string" ? found : null;
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
