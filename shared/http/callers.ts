/**
 * Who calls the ticketing API (version 2) and what it may reach. A caller is an app of its own
 * (ServiceNow, Jira, an MSP's PSA) that gets an Entra access token with the client credentials
 * flow for tenant-patrol's app registration, holding the app roles it was granted. The token is
 * checked with jose against the issuer's published keys (OpenID Connect discovery, then its JWKS):
 * signature (RS256 only), issuer, audience, expiry; then the role the route needs, then the
 * caller registry (Callers table): an app that is not registered reaches nothing, one that is
 * reaches the tenants listed for it.
 *
 * The routes are anonymous at the Functions host (which would refuse a request without a function
 * key before this code runs) and authenticate here. Answers follow RFC 6750: 401 with
 * `WWW-Authenticate: Bearer error="invalid_token"` for a missing or bad token, 403 with
 * `error="insufficient_scope"` for a missing role or an unregistered app.
 */
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import type { CallerTokenSettings } from "../config/settings.js";
import type { CallersRepository } from "../storage/callers.js";
import { problemResponse } from "./problem.js";

export const CALLER_ROLES = ["Remediation.Request", "Remediation.Read", "Findings.Read", "Risks.Accept"] as const;
export type CallerRole = (typeof CALLER_ROLES)[number];

export interface AuthenticatedCaller {
  /** The caller app's id (`azp`, or `appid` in a v1 token). */
  readonly appId: string;
  readonly displayName: string;
  readonly roles: readonly string[];
  /** Whether the registry lets it reach this tenant; a tenant it cannot reach is answered as unknown (404). */
  reaches(tenantId: string): boolean;
}

export type Authentication =
  { readonly ok: true; readonly caller: AuthenticatedCaller } | { readonly ok: false; readonly response: HttpResponseInit };

export interface CallerAuthenticator {
  authenticate(request: HttpRequest, role: CallerRole): Promise<Authentication>;
}

const REALM = "tenant-patrol";

/** Verifies Entra access tokens; `settings` undefined (not configured) refuses every caller with 503. */
export function entraCallerAuthenticator(
  settings: CallerTokenSettings | undefined,
  callers: Pick<CallersRepository, "get">,
): CallerAuthenticator {
  const keys = settings && publishedKeys(settings.issuer);
  return {
    async authenticate(request, role) {
      if (!settings || !keys) {
        return {
          ok: false,
          response: problemResponse(
            503,
            "callers-not-configured",
            "Callers not configured",
            "API_TENANT_ID and GRAPH_CLIENT_ID must be set for bearer callers.",
          ),
        };
      }
      const token = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
      if (token === undefined)
        return { ok: false, response: unauthorized(undefined, "An Entra access token is required (Authorization: Bearer …).") };
      const verified = await verify(token, keys, settings);
      if (typeof verified === "string") return { ok: false, response: unauthorized("invalid_token", verified) };
      const roles = Array.isArray(verified.roles) ? verified.roles.filter((r): r is string => typeof r === "string") : [];
      if (!roles.includes(role)) return { ok: false, response: forbidden(`The token does not hold the app role ${role}.`) };
      const appId = typeof verified.azp === "string" ? verified.azp : typeof verified.appid === "string" ? verified.appid : "";
      const registered = await callers.get(appId);
      if (!registered)
        return { ok: false, response: forbidden(`The caller app ${appId.slice(0, 64)} is not registered with tenant-patrol.`) };
      const reach = registered.tenants === "all" ? "all" : new Set(registered.tenants);
      return {
        ok: true,
        caller: {
          appId: registered.appId,
          displayName: registered.displayName,
          roles,
          reaches: (tenantId) => reach === "all" || reach.has(tenantId.toLowerCase()),
        },
      };
    },
  };
}

/**
 * The issuer's signing keys, found through its OpenID Connect discovery document (whose `issuer`
 * must be the one we expect) and cached by jose; a failed discovery is retried on the next call.
 */
function publishedKeys(issuer: string): JWTVerifyGetKey {
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const discover = async (): Promise<JWTVerifyGetKey> => {
    const response = await fetch(`${issuer}/.well-known/openid-configuration`);
    if (!response.ok) throw new Error(`OpenID discovery of ${issuer} answered ${response.status}`);
    const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (document.issuer !== issuer || typeof document.jwks_uri !== "string")
      throw new Error(`OpenID discovery of ${issuer} names another issuer or no jwks_uri`);
    return createRemoteJWKSet(new URL(document.jwks_uri));
  };
  return async (header, token) => {
    keys ??= discover().catch((error: unknown) => {
      keys = undefined;
      throw error;
    });
    return (await keys)(header, token);
  };
}

/** The token's claims, or why it is refused (one sentence for error_description). */
async function verify(token: string, keys: JWTVerifyGetKey, settings: CallerTokenSettings): Promise<JWTPayload | string> {
  try {
    const { payload } = await jwtVerify(token, keys, {
      issuer: settings.issuer,
      audience: settings.audience,
      algorithms: ["RS256"],
      requiredClaims: ["exp"],
    });
    // App-only tokens carry roles; a delegated (user) token carries scp and speaks for a person, not a caller app.
    if (payload.scp !== undefined) return "The token is a delegated (user) token; use the client credentials of the caller app.";
    return payload;
  } catch (error) {
    return whyRefused(error);
  }
}

function whyRefused(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "The token has expired.";
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "iss") return "The token was issued by another issuer.";
    if (error.claim === "aud") return "The token is for another audience.";
    return `The token's ${error.claim} claim is invalid.`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return "The token's signing algorithm is not accepted (RS256 only).";
  if (error instanceof errors.JWKSNoMatchingKey) return "The token is signed with a key the issuer does not publish.";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "The token's signature is invalid.";
  if (error instanceof errors.JOSEError) return "The token is malformed.";
  throw error;
}

function unauthorized(code: "invalid_token" | undefined, description: string): HttpResponseInit {
  const challenge =
    code === undefined
      ? `Bearer realm="${REALM}"`
      : `Bearer realm="${REALM}", error="${code}", error_description="${quotable(description)}"`;
  return problemResponse(401, "unauthorized", "Unauthorized", description, { headers: { "WWW-Authenticate": challenge } });
}

function forbidden(description: string): HttpResponseInit {
  const challenge = `Bearer realm="${REALM}", error="insufficient_scope", error_description="${quotable(description)}"`;
  return problemResponse(403, "forbidden", "Forbidden", description, { headers: { "WWW-Authenticate": challenge } });
}

/** RFC 6750's error_description allows printable ASCII but `"` and `\\`: anything else becomes `?`. */
function quotable(text: string): string {
  return text.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, "?");
}
