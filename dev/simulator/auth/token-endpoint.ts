/**
 * The slice of Entra ID (login.microsoftonline.com) that MSAL Node fetches for the client-secret,
 * client-certificate and client-assertion credentials with { authorityHost, disableInstanceDiscovery: true }:
 *   GET  /{tenant}/v2.0/.well-known/openid-configuration
 *   POST /{tenant}/oauth2/v2.0/token   (grant_type=client_credentials, client_secret or client_assertion)
 * and App Service's managed-identity endpoint (GET /msi/token, ./managed-identity.ts), whose tokens
 * are the federated assertions of the secretless mode. In the MSP's own tenant (`homeTenantId`,
 * not a hosted customer tenant) it also issues caller apps' tokens for the MSP's API
 * (./caller-tokens.ts), whose keys it publishes at GET /{tenant}/discovery/v2.0/keys.
 * Errors are AAD-shaped: {error, error_description "AADSTSnnn: …", error_codes, trace_id, …}.
 */
import { randomUUID } from "node:crypto";
import { jsonResponse, type SimResponse } from "../server/messages.js";
import type { TenantState } from "../state/tenant-state.js";
import { DEFAULT_TOKEN_LIFETIME_SECONDS, GRAPH_AUDIENCE, type TokenAuthority } from "./access-tokens.js";
import type { AppRegistry, SimulatorApp, SimulatorCallerApp } from "./apps.js";
import type { CallerTokenIssuer } from "./caller-tokens.js";
import { checkClientAssertion, type AssertionRefusal } from "./client-assertion.js";
import { MANAGED_IDENTITY_PATH, type ManagedIdentityIssuer } from "./managed-identity.js";

export interface LoginDependencies {
  /** "https://localhost:PORT" (no trailing slash), what the credential was given as authorityHost. */
  readonly authorityHost: string;
  readonly findTenant: (idOrDomain: string) => TenantState | undefined;
  readonly apps: AppRegistry;
  readonly tokens: TokenAuthority;
  readonly managedIdentities: ManagedIdentityIssuer;
  readonly now: () => number;
  readonly onTokenIssued: (tenant: TenantState) => void;
  /** The MSP's tenant: where caller apps get tokens for the API (an app of `apps`). */
  readonly homeTenantId: string;
  readonly callerApps: readonly SimulatorCallerApp[];
  readonly callerTokens: CallerTokenIssuer;
}

function aadError(deps: LoginDependencies, status: number, error: string, code: number, description: string): SimResponse {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date(deps.now())
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d{3}Z$/, "Z");
  return jsonResponse(status, {
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `${deps.authorityHost}/error?code=${code}`,
  });
}

/** A request to the login host, as the HTTPS front door hands it over. */
export interface LoginRequest {
  readonly method: string;
  /** Decoded path without the leading slash. */
  readonly path: string;
  readonly search: URLSearchParams;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly bodyText: string;
}

function tenantNotFound(deps: LoginDependencies, tenant: string): SimResponse {
  return aadError(
    deps,
    400,
    "invalid_tenant",
    90002,
    `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
  );
}

function openIdConfiguration(deps: LoginDependencies, tenantId: string): SimResponse {
  const base = `${deps.authorityHost}/${tenantId}`;
  return jsonResponse(200, {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: `${base}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: "https://graph.microsoft.com/oidc/userinfo",
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ["sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce", "tid", "ver", "oid"],
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: "EU",
    cloud_instance_name: "microsoftonline.com",
    cloud_graph_host_name: "graph.windows.net",
    msgraph_host: "graph.microsoft.com",
    rbac_url: "https://pas.windows.net",
  });
}

function issueToken(deps: LoginDependencies, tenant: TenantState, tenantSegment: string, form: URLSearchParams): SimResponse {
  const grantType = form.get("grant_type");
  if (grantType !== "client_credentials") {
    return aadError(deps, 400, "unsupported_grant_type", 70003, `The app requested an unsupported grant type '${grantType ?? ""}'.`);
  }
  const clientId = form.get("client_id") ?? "";
  const app = deps.apps.find(clientId);
  if (!app || !deps.apps.isConsented(app, tenant.id)) {
    return aadError(
      deps,
      400,
      "unauthorized_client",
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenant.displayName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  }
  const refused = authenticateClient(deps, tenant, app, tenantSegment, form);
  if (refused) return aadError(deps, refused.status, refused.error, refused.code, refused.description);
  const scopes = (form.get("scope") ?? "").split(" ").filter((s) => s !== "");
  if (scopes.length !== 1 || scopes[0] !== `${GRAPH_AUDIENCE}/.default`) {
    return aadError(
      deps,
      400,
      "invalid_scope",
      1002012,
      `The provided value for scope ${scopes.join(" ")} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI); the simulator serves only ${GRAPH_AUDIENCE}/.default.`,
    );
  }
  deps.onTokenIssued(tenant);
  return jsonResponse(200, {
    token_type: "Bearer",
    expires_in: DEFAULT_TOKEN_LIFETIME_SECONDS,
    ext_expires_in: DEFAULT_TOKEN_LIFETIME_SECONDS,
    access_token: deps.tokens.mint({ tenantId: tenant.id, appId: app.clientId, roles: tenant.appPermissions }),
  });
}

/** The app proves itself with its secret or a client assertion (certificate-signed or federated). */
function authenticateClient(
  deps: LoginDependencies,
  tenant: TenantState,
  app: SimulatorApp,
  tenantSegment: string,
  form: URLSearchParams,
): AssertionRefusal | undefined {
  const assertion = form.get("client_assertion");
  if (assertion !== null) {
    const tokenEndpoint = (segment: string) => `${deps.authorityHost}/${segment}/oauth2/v2.0/token`;
    return checkClientAssertion(
      {
        app,
        clientId: form.get("client_id") ?? "",
        tokenAudiences: [tokenEndpoint(tenantSegment), tokenEndpoint(tenant.id), `${deps.authorityHost}/${tenant.id}/v2.0`],
        authorityHost: deps.authorityHost,
        managedIdentityKey: deps.managedIdentities.verificationKey,
        now: Math.floor(deps.now() / 1000),
      },
      form.get("client_assertion_type"),
      assertion,
    );
  }
  const secret = form.get("client_secret");
  if (secret !== null && app.clientSecret !== undefined && secret === app.clientSecret) return undefined;
  const reason =
    secret !== null
      ? "Invalid client secret provided."
      : "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.";
  return {
    status: 401,
    error: "invalid_client",
    code: secret !== null ? 7000215 : 7000218,
    description: `${reason} Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`,
  };
}

/** Answers a login request, or undefined when the path is not one the token endpoint serves. */
export function handleLoginRequest(deps: LoginDependencies, request: LoginRequest): SimResponse | undefined {
  const { method, path, bodyText } = request;
  if (method === "GET" && path === MANAGED_IDENTITY_PATH) {
    return deps.managedIdentities.handle(deps.authorityHost, {
      search: request.search,
      identityHeader: request.headers["x-identity-header"],
    });
  }
  const [tenantSegment, ...rest] = path.split("/");
  const tail = rest.join("/");
  if (tenantSegment === undefined) return undefined;
  const isConfig = method === "GET" && tail === "v2.0/.well-known/openid-configuration";
  const isToken = method === "POST" && tail === "oauth2/v2.0/token";
  const isKeys = method === "GET" && tail === "discovery/v2.0/keys";
  if (!isConfig && !isToken && !isKeys) return undefined;
  if (tenantSegment.toLowerCase() === deps.homeTenantId.toLowerCase()) {
    if (isToken) return issueCallerToken(deps, new URLSearchParams(bodyText));
    return isConfig ? openIdConfiguration(deps, deps.homeTenantId) : jsonResponse(200, deps.callerTokens.jwks());
  }
  const tenant = deps.findTenant(tenantSegment);
  if (!tenant) return tenantNotFound(deps, tenantSegment);
  if (isKeys) return jsonResponse(200, deps.callerTokens.jwks());
  return isConfig ? openIdConfiguration(deps, tenant.id) : issueToken(deps, tenant, tenantSegment, new URLSearchParams(bodyText));
}

/**
 * A caller app's token for the API (client credentials with its secret): `aud` the API's client
 * id, whichever form the scope named it in (client id or `api://` Application ID URI), and the app
 * roles granted to the caller.
 */
function issueCallerToken(deps: LoginDependencies, form: URLSearchParams): SimResponse {
  if (form.get("grant_type") !== "client_credentials") {
    return aadError(
      deps,
      400,
      "unsupported_grant_type",
      70003,
      `The app requested an unsupported grant type '${form.get("grant_type") ?? ""}'.`,
    );
  }
  const clientId = form.get("client_id") ?? "";
  const caller = deps.callerApps.find((app) => app.clientId.toLowerCase() === clientId.toLowerCase());
  if (!caller) {
    return aadError(deps, 400, "unauthorized_client", 700016, `Application with identifier '${clientId}' was not found in the directory.`);
  }
  if (form.get("client_secret") !== caller.clientSecret) {
    return aadError(deps, 401, "invalid_client", 7000215, "Invalid client secret provided.");
  }
  const scope = form.get("scope") ?? "";
  const resource = /^(?:api:\/\/)?([^/]+)\/\.default$/.exec(scope)?.[1];
  const api = resource === undefined ? undefined : deps.apps.find(resource);
  if (!api) {
    return aadError(deps, 400, "invalid_resource", 500011, `The resource principal named ${scope} was not found in the tenant.`);
  }
  return jsonResponse(200, {
    token_type: "Bearer",
    expires_in: DEFAULT_TOKEN_LIFETIME_SECONDS,
    ext_expires_in: DEFAULT_TOKEN_LIFETIME_SECONDS,
    access_token: deps.callerTokens.mint({
      tenantId: deps.homeTenantId,
      audience: api.clientId,
      appId: caller.clientId,
      roles: caller.roles,
    }),
  });
}
