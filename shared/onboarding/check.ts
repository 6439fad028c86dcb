/**
 * The onboarding check: can tenant-patrol work in this tenant, feature by feature?
 *
 * 1. Sign in with the configured credential and read the app-only token's `roles` claim: "the set
 *    of permissions … the requesting application … has been given permission to call"; the client
 *    credential flow carries the application permissions granted in the tenant there (Entra
 *    "Access token claims reference", `roles`). Compared with the permission manifest per feature,
 *    it names exactly the missing permissions, without one refused request per permission.
 * 2. Make the cheapest read of each source whose permission is granted (`$top=1` or `$select=id`,
 *    never a write): a read proves the tenant answers, and where a licence decides (sign-in
 *    activity, the MFA registration report, Conditional Access: Entra ID P1; PIM eligibility: P2)
 *    Graph's licence-shaped refusal names the missing licence (shared/graph/errors.ts; licence 403s
 *    are asked again first, shared/graph/license-retry.ts, as Graph sends them now and then to
 *    licensed tenants too).
 * 3. Find the app's own service principal (`servicePrincipals?$filter=appId eq …`) and its active
 *    directory role assignments (`roleAssignments?$filter=principalId eq …`): blocking an
 *    administrator needs Privileged Authentication Administrator (or Global Administrator, which
 *    covers it: entra-docs "Who can perform sensitive actions").
 * Every call is in the permission manifest. Nothing is written to the tenant.
 */
import type { TokenCredential } from "@azure/identity";
import type { Client } from "@microsoft/microsoft-graph-client";
import { graphScope } from "../config/clouds.js";
import type { TenantGraph } from "../graph/client.js";
import { describeError, unavailableReason } from "../graph/errors.js";
import { retryLicenseRefusals, type RetryLicenseRefusalsOptions } from "../graph/license-retry.js";
import { listPages, type ListRequest } from "../graph/paging.js";
import { FEATURE_TITLES, FEATURES, graphCall, permissionsFor, type Feature, type GraphCall } from "../graph/permission-manifest.js";
import type { FeatureReadiness, FeatureStatus, LicenceGap, ProbeOutcome, ProbeResult, ReadinessReport } from "../model/readiness.js";
import { GLOBAL_ADMINISTRATOR, PRIVILEGED_ROLES } from "../model/roles.js";
import { adminConsentUrl, consentPlan, entraRolesFor } from "./consent.js";
import { isGranted } from "./graph-app-roles.js";
import { accessTokenClaims } from "./token-claims.js";

/** A signed-in way into one tenant: the credential (for its token's claims) and a Graph client using it. */
export interface TenantAccess {
  readonly credential: TokenCredential;
  readonly graph: TenantGraph;
}

export interface ReadinessCheckOptions {
  readonly tenantId: string;
  readonly access: TenantAccess;
  /** GRAPH_CLIENT_ID. */
  readonly appId: string;
  readonly graphBaseUrl: string;
  readonly authorityHost: string;
  /** Approval digests are configured (APPROVAL_SIGNING_KEYS, PUBLIC_BASE_URL, MAIL_SENDER). */
  readonly approvalsConfigured: boolean;
  /** MAIL_TENANT_ID: digests are sent from that tenant. */
  readonly mailTenantId?: string | undefined;
  readonly licenseRetry?: RetryLicenseRefusalsOptions;
  readonly now?: () => Date;
}

/** Graph messages are the tenant's text: kept short in the stored report. */
const MAX_DETAIL = 400;

interface Probe {
  readonly source: string;
  /** The manifest entry of the read it makes. */
  readonly call: GraphCall;
  /** Every manifest call this read stands for (same permission and licence gate). */
  readonly covers: readonly GraphCall[];
  readonly licensed: boolean;
  /** The read to make, or undefined when there is nothing to read it for. */
  readonly read: (client: Client, found: Found, appId: string) => ProbeRead | undefined;
}

interface ProbeRead {
  readonly request: string;
  /** Makes the read (again, for a licence refusal worth asking twice). */
  readonly run: () => Promise<unknown>;
}

/** What earlier probes found that later ones use. */
interface Found {
  userId?: string;
  servicePrincipalId?: string;
}

const SIGN_IN = graphCall("GET", "v1.0", "users", "signInActivity");

function firstPage<T>(client: Client, request: ListRequest): ProbeRead {
  const query = [
    request.select ? `$select=${request.select.join(",")}` : "",
    request.filter ? `$filter=${request.filter}` : "",
    request.top !== undefined ? `$top=${request.top}` : "",
  ].filter((q) => q !== "");
  const text = `GET ${request.version ?? "v1.0"}${request.path}${query.length > 0 ? `?${query.join("&")}` : ""}`;
  const run = async (): Promise<T[]> => {
    for await (const page of listPages<T>(client, request)) return page.items;
    return [];
  };
  return { request: text, run };
}

/** A first-page read whose items are handed to `use` (which may throw to fail the probe). */
function firstPageThen<T>(client: Client, request: ListRequest, use: (items: T[]) => void): ProbeRead {
  const read = firstPage<T>(client, request);
  return { request: read.request, run: async () => use((await read.run()) as T[]) };
}

function single(client: Client, version: "v1.0" | "beta", path: string, select?: readonly string[]): ProbeRead {
  const api = client.api(path).version(version);
  if (select) api.select([...select]);
  return { request: `GET ${version}${path}${select ? `?$select=${select.join(",")}` : ""}`, run: () => api.get() as Promise<unknown> };
}

/** The reads, in order (later ones use what earlier ones found). */
const PROBES: readonly Probe[] = [
  {
    source: "users",
    call: graphCall("GET", "v1.0", "users"),
    covers: [graphCall("GET", "v1.0", "users"), graphCall("GET", "v1.0", "users/{id}")],
    licensed: false,
    read: (client, found) =>
      firstPageThen<{ id?: unknown }>(client, { path: "/users", select: ["id"], top: 1 }, (items) => {
        const id = items[0]?.id;
        if (typeof id === "string") found.userId = id;
      }),
  },
  {
    source: "sign-in activity",
    call: SIGN_IN,
    covers: [SIGN_IN, graphCall("GET", "v1.0", "users/{id}", "signInActivity")],
    licensed: true,
    read: (client) => firstPage(client, { path: "/users", select: ["id", "signInActivity"], top: 1 }),
  },
  {
    source: "MFA registration report",
    call: graphCall("GET", "v1.0", "reports/authenticationMethods/userRegistrationDetails"),
    covers: [
      graphCall("GET", "v1.0", "reports/authenticationMethods/userRegistrationDetails"),
      graphCall("GET", "v1.0", "reports/authenticationMethods/userRegistrationDetails/{id}"),
    ],
    licensed: true,
    read: (client) => firstPage(client, { path: "/reports/authenticationMethods/userRegistrationDetails", select: ["id"], top: 1 }),
  },
  {
    source: "role assignments",
    call: graphCall("GET", "v1.0", "roleManagement/directory/roleAssignments"),
    covers: [graphCall("GET", "v1.0", "roleManagement/directory/roleAssignments")],
    licensed: false,
    read: (client) => firstPage(client, { path: "/roleManagement/directory/roleAssignments", top: 1 }),
  },
  {
    source: "PIM eligible assignments",
    call: graphCall("GET", "v1.0", "roleManagement/directory/roleEligibilitySchedules"),
    covers: [graphCall("GET", "v1.0", "roleManagement/directory/roleEligibilitySchedules")],
    licensed: true,
    read: (client) => firstPage(client, { path: "/roleManagement/directory/roleEligibilitySchedules", top: 1 }),
  },
  {
    source: "security defaults",
    call: graphCall("GET", "v1.0", "policies/identitySecurityDefaultsEnforcementPolicy"),
    covers: [graphCall("GET", "v1.0", "policies/identitySecurityDefaultsEnforcementPolicy")],
    licensed: false,
    read: (client) => single(client, "v1.0", "/policies/identitySecurityDefaultsEnforcementPolicy", ["id", "isEnabled"]),
  },
  {
    source: "Conditional Access policies",
    call: graphCall("GET", "v1.0", "identity/conditionalAccess/policies"),
    covers: [graphCall("GET", "v1.0", "identity/conditionalAccess/policies")],
    licensed: true,
    read: (client) => firstPage(client, { path: "/identity/conditionalAccess/policies", select: ["id"] }),
  },
  {
    source: "authorization policy",
    call: graphCall("GET", "v1.0", "policies/authorizationPolicy"),
    covers: [graphCall("GET", "v1.0", "policies/authorizationPolicy")],
    licensed: false,
    read: (client) => single(client, "v1.0", "/policies/authorizationPolicy", ["id"]),
  },
  {
    source: "domains",
    call: graphCall("GET", "v1.0", "domains"),
    covers: [graphCall("GET", "v1.0", "domains"), graphCall("GET", "v1.0", "domains/{id}")],
    licensed: false,
    read: (client) => firstPage(client, { path: "/domains", select: ["id"] }),
  },
  {
    source: "per-user MFA state",
    call: graphCall("GET", "beta", "users/{id}/authentication/requirements"),
    covers: [graphCall("GET", "beta", "users/{id}/authentication/requirements")],
    licensed: false,
    read: (client, found) =>
      found.userId === undefined
        ? undefined
        : single(client, "beta", `/users/${encodeURIComponent(found.userId)}/authentication/requirements`),
  },
  {
    source: "tenant-patrol's own service principal",
    call: graphCall("GET", "v1.0", "servicePrincipals"),
    covers: [graphCall("GET", "v1.0", "servicePrincipals")],
    licensed: false,
    // servicePrincipal-list documents $filter on appId (shared/remediation/self-guard.ts reads it the same way).
    read: (client, found, appId) =>
      firstPageThen<{ id?: unknown }>(
        client,
        { path: "/servicePrincipals", filter: `appId eq '${appId.replaceAll("'", "''")}'`, select: ["id"] },
        (items) => {
          const id = items[0]?.id;
          if (typeof id !== "string") throw new Error(`Graph lists no service principal for app ${appId} in this tenant`);
          found.servicePrincipalId = id;
        },
      ),
  },
];

/** Runs the check; never throws for what the tenant answers (sign-in failures included). */
export async function checkTenantReadiness(options: ReadinessCheckOptions): Promise<ReadinessReport> {
  const { tenantId, appId } = options;
  const checkedAt = (options.now?.() ?? new Date()).toISOString();
  const client = options.access.graph.client;

  let granted: string[];
  try {
    const token = await options.access.credential.getToken(graphScope(options.graphBaseUrl));
    if (!token) throw new Error("the credential returned no token");
    granted = accessTokenClaims(token.token).roles;
  } catch (e) {
    return signInFailed(options, checkedAt, describeError(e));
  }
  const grantedSet = new Set(granted);

  const found: Found = {};
  const probes: ProbeResult[] = [];
  const outcomes = new Map<Probe, ProbeOutcome>();
  for (const probe of PROBES) {
    const missing = probe.call.permissions.filter((p) => !isGranted(p, grantedSet));
    if (missing.length > 0) {
      outcomes.set(probe, "skipped");
      probes.push({
        source: probe.source,
        request: `GET ${probe.call.version}/${probe.call.path}`,
        outcome: "skipped",
        detail: `needs ${missing.join(" + ")}`,
      });
      continue;
    }
    const read = probe.read(client, found, appId);
    if (read === undefined) {
      outcomes.set(probe, "skipped");
      probes.push({
        source: probe.source,
        request: `GET ${probe.call.version}/${probe.call.path}`,
        outcome: "skipped",
        detail: "no user to read it for",
      });
      continue;
    }
    const result = await settle(read, probe.licensed ? (options.licenseRetry ?? {}) : undefined);
    outcomes.set(probe, result.outcome);
    probes.push({ source: probe.source, request: result.request, outcome: result.outcome, detail: result.detail });
  }

  const roles = await appDirectoryRoles(client, found.servicePrincipalId, grantedSet);
  if (roles.probe) probes.push(roles.probe);
  const context: FeatureContext = {
    options,
    grantedSet,
    outcomes,
    probes,
    servicePrincipalId: found.servicePrincipalId ?? null,
    roles: roles.names,
    rolesUnknown: roles.unknown,
  };
  const features = FEATURES.map((feature) => featureReadiness(feature, context));
  const sweep = features.find((f) => f.feature === "sweep");
  const sweepReady = sweep !== undefined && (sweep.status === "ready" || sweep.status === "missing-licence");
  return {
    version: 1,
    tenantId,
    appId,
    checkedAt,
    signedIn: true,
    signInError: null,
    grantedPermissions: [...granted].sort(),
    servicePrincipalId: found.servicePrincipalId ?? null,
    appDirectoryRoles: roles.names,
    probes,
    features,
    sweepReady,
    summary: summarize(features),
  };
}

async function settle(
  read: ProbeRead,
  licenseRetry: RetryLicenseRefusalsOptions | undefined,
): Promise<{ request: string; outcome: ProbeOutcome; detail: string | null }> {
  try {
    await (licenseRetry === undefined ? read.run() : retryLicenseRefusals(read.run, licenseRetry));
    return { request: read.request, outcome: "ok", detail: null };
  } catch (e) {
    const reason = unavailableReason(e);
    const detail = describeError(e).slice(0, MAX_DETAIL);
    if (reason === "license") return { request: read.request, outcome: "missing-licence", detail };
    // The token carries the permission, yet Graph refused: a consent change not yet in effect, or a gap we do not model.
    if (reason === "permission") return { request: read.request, outcome: "missing-permission", detail };
    return { request: read.request, outcome: "error", detail };
  }
}

interface RolesFound {
  readonly names: string[] | null;
  readonly unknown: string | null;
  readonly probe?: ProbeResult;
}

/** The directory roles actively assigned to the app's service principal. */
async function appDirectoryRoles(
  client: Client,
  servicePrincipalId: string | undefined,
  granted: ReadonlySet<string>,
): Promise<RolesFound> {
  const call = graphCall("GET", "v1.0", "roleManagement/directory/roleAssignments");
  if (servicePrincipalId === undefined) {
    return { names: null, unknown: "the app's service principal could not be read (needs Application.Read.All)" };
  }
  const missing = call.permissions.filter((p) => !isGranted(p, granted));
  if (missing.length > 0) return { names: null, unknown: `the app's role assignments could not be read (needs ${missing.join(" + ")})` };
  const read = firstPage<{ roleDefinitionId?: unknown }>(client, {
    path: "/roleManagement/directory/roleAssignments",
    filter: `principalId eq '${servicePrincipalId}'`,
  });
  try {
    const items = (await read.run()) as { roleDefinitionId?: unknown }[];
    const names = items
      .map((a) =>
        typeof a.roleDefinitionId === "string" ? (PRIVILEGED_ROLES.get(a.roleDefinitionId.toLowerCase()) ?? a.roleDefinitionId) : null,
      )
      .filter((n): n is string => n !== null);
    return {
      names: [...new Set(names)].sort(),
      unknown: null,
      probe: { source: "the app's directory roles", request: read.request, outcome: "ok", detail: null },
    };
  } catch (e) {
    const detail = describeError(e).slice(0, MAX_DETAIL);
    return {
      names: null,
      unknown: `the app's role assignments could not be read: ${detail}`,
      probe: { source: "the app's directory roles", request: read.request, outcome: "error", detail },
    };
  }
}

interface FeatureContext {
  readonly options: ReadinessCheckOptions;
  readonly grantedSet: ReadonlySet<string>;
  readonly outcomes: ReadonlyMap<Probe, ProbeOutcome>;
  readonly probes: readonly ProbeResult[];
  readonly servicePrincipalId: string | null;
  readonly roles: readonly string[] | null;
  readonly rolesUnknown: string | null;
}

const GLOBAL_ADMINISTRATOR_NAME = PRIVILEGED_ROLES.get(GLOBAL_ADMINISTRATOR) ?? "Global Administrator";

function featureReadiness(feature: Feature, ctx: FeatureContext): FeatureReadiness {
  const title = FEATURE_TITLES[feature];
  const { options } = ctx;
  const notNeeded = notNeededReason(feature, options);
  if (notNeeded !== undefined) return notNeededFeature(feature, notNeeded);
  const missingPermissions = permissionsFor(feature).filter((p) => !isGranted(p, ctx.grantedSet));
  const licences = new Map<string, string[]>();
  const problems: string[] = [];
  let errors = 0;
  for (const probe of PROBES) {
    const covered = probe.covers.filter((call) => call.features.includes(feature));
    if (covered.length === 0) continue;
    const outcome = ctx.outcomes.get(probe);
    const result = ctx.probes.find((p) => p.source === probe.source);
    if (outcome === "missing-licence") {
      for (const call of covered.filter((c) => c.licence !== undefined)) {
        const list = licences.get(call.licence as string) ?? [];
        if (!list.includes(call.doing)) list.push(call.doing);
        licences.set(call.licence as string, list);
      }
    } else if (outcome === "error" || outcome === "missing-permission") {
      errors++;
      problems.push(`${probe.source}: ${result?.detail ?? "failed"}`);
    } else if (outcome === "skipped" && probe.licensed && missingPermissions.length === 0) {
      problems.push(`${probe.source}: licence not checked (${result?.detail ?? "skipped"})`);
    }
  }
  const missingLicences: LicenceGap[] = [...licences].map(([licence, doing]) => ({ licence, for: doing }));

  let missingRole: string | null = null;
  for (const role of entraRolesFor([feature])) {
    if (ctx.roles === null) problems.push(`Entra role ${role.name} not checked: ${ctx.rolesUnknown ?? "unknown"}`);
    else if (!ctx.roles.includes(role.name) && !ctx.roles.includes(GLOBAL_ADMINISTRATOR_NAME)) missingRole = role.name;
  }

  const status: FeatureStatus =
    errors > 0
      ? "error"
      : missingPermissions.length > 0
        ? "missing-permission"
        : missingRole !== null
          ? "missing-role"
          : missingLicences.length > 0
            ? "missing-licence"
            : "ready";
  const next = nextSteps(feature, { missingPermissions, missingLicences, missingRole, errors }, ctx);
  return { feature, title, status, missingPermissions, missingLicences, missingRole, problems, next };
}

/** A feature this deployment does not use in this tenant: nothing to grant, nothing to do. */
function notNeededFeature(feature: Feature, reason: string): FeatureReadiness {
  return {
    feature,
    title: FEATURE_TITLES[feature],
    status: "not-needed",
    missingPermissions: [],
    missingLicences: [],
    missingRole: null,
    problems: [reason],
    next: [],
  };
}

function notNeededReason(feature: Feature, options: ReadinessCheckOptions): string | undefined {
  if (feature !== "digest-mail") return undefined;
  if (!options.approvalsConfigured)
    return "approvals are off (APPROVAL_SIGNING_KEYS, PUBLIC_BASE_URL and MAIL_SENDER are not set): no digest is sent";
  if (options.mailTenantId !== undefined && options.mailTenantId.toLowerCase() !== options.tenantId.toLowerCase()) {
    return `digests are sent from the mail tenant ${options.mailTenantId} (MAIL_TENANT_ID), not from this tenant`;
  }
  return undefined;
}

function nextSteps(
  feature: Feature,
  gaps: { missingPermissions: readonly string[]; missingLicences: readonly LicenceGap[]; missingRole: string | null; errors: number },
  ctx: FeatureContext,
): string[] {
  const { options } = ctx;
  const profile = feature === "sweep" ? "read-only" : "remediation";
  const next: string[] = [];
  if (gaps.missingPermissions.length > 0) {
    const url = consentUrl(options);
    next.push(
      `grant ${gaps.missingPermissions.join(", ")} (Microsoft Graph application permission${gaps.missingPermissions.length > 1 ? "s" : ""}) and re-consent: ${url}` +
        ` (the app registration must declare ${gaps.missingPermissions.length > 1 ? "them" : "it"}: npm run tenants -- consent-url ${options.tenantId}${profile === "remediation" ? " --remediation" : ""})`,
    );
  }
  if (gaps.missingRole !== null) {
    const plan = consentPlan({ ...planInput(options), profile: "remediation" });
    const role = plan.entraRoles.find((r) => r.name === gaps.missingRole);
    const principal = ctx.servicePrincipalId ?? "(the app's service principal)";
    next.push(
      `assign the Entra role ${gaps.missingRole} to the app's service principal ${principal} in this tenant (as a Privileged Role Administrator)` +
        `${role ? `, roleDefinitionId ${role.templateId}` : ""}: without it, blocking an administrator and revoking their sessions is refused (other accounts work)`,
    );
  }
  for (const gap of gaps.missingLicences) {
    const effect =
      feature === "sweep"
        ? "the controls that need it are reported unknown (licence)"
        : "findings that need it are not raised, so there is nothing to act on";
    next.push(`${gap.licence} is needed to ${gap.for.join(", ")}; without it ${effect}`);
  }
  if (gaps.errors > 0)
    next.push(
      `run the check again (npm run tenants -- check ${options.tenantId}); if Graph keeps refusing, the problems above carry its request id`,
    );
  return next;
}

function planInput(options: ReadinessCheckOptions) {
  return {
    tenantId: options.tenantId,
    clientId: options.appId,
    authorityHost: options.authorityHost,
    graphBaseUrl: options.graphBaseUrl,
    state: "tenant-patrol",
    ...(options.mailTenantId !== undefined ? { mailTenantId: options.mailTenantId } : {}),
  };
}

/** The same URL serves both profiles: consent grants what the registration declares (consent.ts). */
function consentUrl(options: ReadinessCheckOptions): string {
  return adminConsentUrl(planInput(options));
}

function signInFailed(options: ReadinessCheckOptions, checkedAt: string, message: string): ReadinessReport {
  const error = message.slice(0, MAX_DETAIL);
  const next = [`could not sign in to the tenant: is the app consented there? ${consentUrl(options)}`];
  const features = FEATURES.map((feature): FeatureReadiness => {
    const notNeeded = notNeededReason(feature, options);
    return notNeeded !== undefined
      ? notNeededFeature(feature, notNeeded)
      : {
          feature,
          title: FEATURE_TITLES[feature],
          status: "error",
          missingPermissions: [],
          missingLicences: [],
          missingRole: null,
          problems: [`sign-in: ${error}`],
          next,
        };
  });
  return {
    version: 1,
    tenantId: options.tenantId,
    appId: options.appId,
    checkedAt,
    signedIn: false,
    signInError: error,
    grantedPermissions: [],
    servicePrincipalId: null,
    appDirectoryRoles: null,
    probes: [],
    features,
    sweepReady: false,
    summary: `could not sign in: ${error}`,
  };
}

/** "sweep ready; block-account: missing role …; digest-mail not needed". */
export function summarize(features: readonly FeatureReadiness[]): string {
  return features
    .map((f) => {
      switch (f.status) {
        case "ready":
          return `${f.feature} ready`;
        case "not-needed":
          return `${f.feature} not needed`;
        case "missing-permission":
          return `${f.feature}: missing ${f.missingPermissions.join(", ")}`;
        case "missing-role":
          return `${f.feature}: missing role ${f.missingRole ?? ""}`;
        case "missing-licence":
          return `${f.feature}: missing licence ${f.missingLicences.map((l) => l.licence).join(", ")}`;
        case "error":
          return `${f.feature}: error`;
      }
    })
    .join("; ");
}
