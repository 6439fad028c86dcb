/**
 * Who reads the reports: a person signed in through App Service Authentication (Entra ID), or a
 * caller app with its own Entra token (shared/http/callers.ts), and what each may do.
 *
 * App Service Authentication signs people in and hands each request the claims it checked in the
 * `X-MS-CLIENT-PRINCIPAL` header (base64 JSON `{ auth_typ, claims: [{ typ, val }], name_typ,
 * role_typ }`). "External requests aren't allowed to set these headers, so they're present only if
 * set by App Service" (learn.microsoft.com/azure/app-service/configure-authentication-user-identities),
 * which is why the header is trusted only when the platform's authentication is on: the platform
 * sets `WEBSITE_AUTH_ENABLED=True` then (Microsoft.Identity.Web's AppServicesAuthenticationInformation
 * makes the same check). The local host (`npm run dev`) plays that part: it drops any such header a
 * client sends and signs its developer in (dev/local-host/http-host.ts).
 */
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import type { CallerAuthenticator } from "./callers.js";

export const CLIENT_PRINCIPAL_HEADER = "x-ms-client-principal";

/** The app roles (on tenant-patrol's app registration) a person needs: to read reports, to accept or revoke risks. */
export const PERSON_ROLES = { read: "Reports.Read", accept: "Risks.Accept" } as const;
/** The same for a caller app's token. */
export const APP_ROLES = { read: "Findings.Read", accept: "Risks.Accept" } as const;

export type ReportPermission = keyof typeof PERSON_ROLES;

export interface Reader {
  /** Shown in the pages and recorded with an acceptance: the person's name, or the caller app. */
  readonly name: string;
  readonly kind: "person" | "app";
  readonly mayAccept: boolean;
  /** Whether it may see this tenant (a person with Reports.Read sees every tenant; an app, its registered ones). */
  reaches(tenantId: string): boolean;
}

export type ReaderCheck =
  | { readonly ok: true; readonly reader: Reader }
  /**
   * 401: nobody signed in; 403: signed in without the role; 503: the platform's authentication is off.
   * A refused bearer token comes with the caller check's own answer (RFC 6750 header included).
   */
  | { readonly ok: false; readonly status: 401 | 403 | 503; readonly message: string; readonly response?: HttpResponseInit };

/** A signed-in principal's claims as the platform sends them. */
export interface ClientPrincipal {
  readonly auth_typ: string;
  readonly claims: readonly { readonly typ: string; readonly val: string }[];
  readonly name_typ: string;
  readonly role_typ: string;
}

export interface ReaderAuthOptions {
  /** WEBSITE_AUTH_ENABLED=True: App Service Authentication runs in front of the functions. */
  readonly platformAuth: boolean;
}

/** The person signed in through the platform, who must hold `permission`'s role. */
export function signedInPerson(request: HttpRequest, permission: ReportPermission, options: ReaderAuthOptions): ReaderCheck {
  if (!options.platformAuth) {
    return {
      ok: false,
      status: 503,
      message:
        "App Service Authentication is off for this function app, so nobody can sign in to the reports (see infra/ and the runbook).",
    };
  }
  const header = request.headers.get(CLIENT_PRINCIPAL_HEADER);
  if (header === null) return { ok: false, status: 401, message: "Sign in to see the reports." };
  const principal = decodeClientPrincipal(header);
  if (principal === undefined) return { ok: false, status: 401, message: "The sign-in could not be read; sign in again." };
  const roles = rolesOf(principal);
  const name = nameOf(principal) ?? request.headers.get("x-ms-client-principal-name") ?? "signed-in user";
  if (!roles.includes(PERSON_ROLES[permission])) {
    return {
      ok: false,
      status: 403,
      message: `${name} does not hold the app role ${PERSON_ROLES[permission]}; ask the operator to assign it.`,
    };
  }
  return { ok: true, reader: { name, kind: "person", mayAccept: roles.includes(PERSON_ROLES.accept), reaches: () => true } };
}

/**
 * For the JSON and CSV API: a caller app when the request carries a bearer token (an integration
 * reading findings), otherwise the signed-in person. A bearer failure keeps its RFC 6750 header.
 */
export async function apiReader(
  request: HttpRequest,
  permission: ReportPermission,
  options: ReaderAuthOptions & { readonly callerAuth: CallerAuthenticator },
): Promise<ReaderCheck> {
  if (!/^Bearer\s/i.test(request.headers.get("authorization") ?? "")) return signedInPerson(request, permission, options);
  const checked = await options.callerAuth.authenticate(request, APP_ROLES[permission]);
  if (!checked.ok) {
    const status = checked.response.status === 403 ? 403 : checked.response.status === 503 ? 503 : 401;
    return { ok: false, status, message: "The bearer token was refused.", response: checked.response };
  }
  const { caller } = checked;
  return {
    ok: true,
    reader: {
      name: `app ${caller.displayName} (${caller.appId})`,
      kind: "app",
      mayAccept: caller.roles.includes(APP_ROLES.accept),
      reaches: (tenantId) => caller.reaches(tenantId),
    },
  };
}

/** The header's principal, or undefined when it is not the platform's shape. */
export function decodeClientPrincipal(header: string): ClientPrincipal | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(header, "base64").toString("utf8"));
    return isClientPrincipal(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function encodeClientPrincipal(principal: ClientPrincipal): string {
  return Buffer.from(JSON.stringify(principal), "utf8").toString("base64");
}

/** A principal as the platform builds it for an Entra user with app roles (for the local host and tests). */
export function entraPrincipal(name: string, roles: readonly string[]): ClientPrincipal {
  return {
    auth_typ: "aad",
    claims: [{ typ: "name", val: name }, { typ: "preferred_username", val: name }, ...roles.map((val) => ({ typ: "roles", val }))],
    name_typ: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
    role_typ: "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
  };
}

function isClientPrincipal(value: unknown): value is ClientPrincipal {
  if (typeof value !== "object" || value === null) return false;
  const { auth_typ, claims, name_typ, role_typ } = value as Record<string, unknown>;
  return (
    typeof auth_typ === "string" &&
    typeof name_typ === "string" &&
    typeof role_typ === "string" &&
    Array.isArray(claims) &&
    claims.every(
      (c: unknown) =>
        typeof c === "object" &&
        c !== null &&
        typeof (c as { typ?: unknown }).typ === "string" &&
        typeof (c as { val?: unknown }).val === "string",
    )
  );
}

/** Entra sends app roles as `roles` claims; the platform may map them to `role_typ`. */
function rolesOf(principal: ClientPrincipal): string[] {
  return principal.claims.filter((c) => c.typ === principal.role_typ || c.typ === "roles").map((c) => c.val);
}

function nameOf(principal: ClientPrincipal): string | undefined {
  const claim = (typ: string) => principal.claims.find((c) => c.typ === typ)?.val;
  return claim(principal.name_typ) ?? claim("name") ?? claim("preferred_username");
}
