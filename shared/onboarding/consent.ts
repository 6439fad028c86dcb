/**
 * Admin consent for a customer tenant, told the way Entra ID does it.
 *
 * The admin-consent endpoint (`{authority}/{tenant}/v2.0/adminconsent?client_id&scope&redirect_uri&state`)
 * grants *application* permissions only through the static scope `https://<graph>/.default`, which
 * stands for every permission the app registration declares in `requiredResourceAccess`
 * ("Admin consent on the Microsoft identity platform", learn.microsoft.com/entra/identity-platform/
 * v2-admin-consent: "To request app permissions, you must use the /.default value"). A URL cannot
 * ask for a subset. Consent is a snapshot: permissions added to the registration later are not
 * granted in a tenant until its admin consents again (Graph "Microsoft Graph security
 * authorization"). So the two profiles are realised like this:
 * - the registration declares a profile's permissions and the tenant's admin opens the URL; a
 *   deployment that only sweeps declares the read-only set, one that remediates the full set;
 * - with a registration that declares the full set, a tenant that wants the read-only sweep only
 *   is granted exactly those app roles by its admin directly (app role assignments on the Graph
 *   service principal, learn.microsoft.com/graph/permissions-grant-via-msgraph), without the URL;
 *   remediation is added later by consenting with the URL (or granting the remaining roles).
 * The app's Entra role (Privileged Authentication Administrator, for blocking administrators) is
 * never part of consent: it is a directory role assignment to the app's service principal.
 */
import { cloudOfGraph, graphScope } from "../config/clouds.js";
import { FEATURE_TITLES, FEATURES, GRAPH_CALLS, permissionsFor, type Feature } from "../graph/permission-manifest.js";
import { PRIVILEGED_ROLES } from "../model/roles.js";
import { graphAppRoleId, MICROSOFT_GRAPH_APP_ID } from "./graph-app-roles.js";

export const CONSENT_PROFILES = ["read-only", "remediation"] as const;
export type ConsentProfile = (typeof CONSENT_PROFILES)[number];

/** The features a profile serves: the sweep alone, or everything (remediation, its undo and the digest). */
export function profileFeatures(profile: ConsentProfile): readonly Feature[] {
  return profile === "read-only" ? ["sweep"] : FEATURES;
}

export interface PermissionEntry {
  readonly name: string;
  /** Microsoft Graph app role id. */
  readonly id: string;
  /** The features of the profile that need it. */
  readonly features: readonly Feature[];
}

export interface EntraRoleEntry {
  readonly name: string;
  readonly templateId: string;
  readonly features: readonly Feature[];
}

export interface ConsentPlanInput {
  readonly tenantId: string;
  readonly clientId: string;
  /** GRAPH_AUTHORITY_HOST. */
  readonly authorityHost: string;
  /** GRAPH_BASE_URL: the scope is its cloud's Graph. */
  readonly graphBaseUrl: string;
  readonly profile: ConsentProfile;
  /** Must match a redirect URI registered on the app (Web platform) exactly; Entra sends the admin back there. */
  readonly redirectUri?: string;
  /** Returned unchanged with the answer, to match it to this request. */
  readonly state: string;
  /** MAIL_TENANT_ID when set: the digest is sent from that tenant, so Mail.Send is not needed elsewhere. */
  readonly mailTenantId?: string;
}

export interface ConsentPlan {
  readonly tenantId: string;
  readonly clientId: string;
  readonly profile: ConsentProfile;
  readonly features: readonly Feature[];
  readonly url: string;
  readonly state: string;
  readonly redirectUri: string | null;
  readonly permissions: readonly PermissionEntry[];
  readonly entraRoles: readonly EntraRoleEntry[];
  /** The app registration's `requiredResourceAccess` for this profile. */
  readonly requiredResourceAccess: readonly [
    { readonly resourceAppId: string; readonly resourceAccess: readonly { readonly id: string; readonly type: "Role" }[] },
  ];
  /** Shell commands, one per line, with what each is for. */
  readonly commands: {
    /** In the app's home tenant: declare the profile's permissions on the registration. */
    readonly declare: string;
    /** In the customer tenant, instead of the URL: grant exactly these app roles. */
    readonly grantDirectly: readonly string[];
    /** In the customer tenant: the app's Entra role(s). */
    readonly assignRoles: readonly string[];
  };
  readonly notes: readonly string[];
}

export function consentPlan(input: ConsentPlanInput): ConsentPlan {
  const features = profileFeatures(input.profile);
  const permissions = permissionsFor(...features).map((name) => ({
    name,
    id: graphAppRoleId(name),
    features: features.filter((f) => permissionsFor(f).includes(name)),
  }));
  const entraRoles = entraRolesFor(features);
  const graphHost = `https://${(cloudOfGraph(input.graphBaseUrl) ?? { graphHost: "graph.microsoft.com" }).graphHost}`;
  const roleIds = permissions.map((p) => p.id);
  const notes = [
    "Admin consent grants every application permission the app registration declares (requiredResourceAccess), never a subset: " +
      `the URL asks for ${graphScope(input.graphBaseUrl)}. Declare exactly this profile's permissions on the registration, ` +
      "or grant them directly in the tenant (commands below) when the registration declares more.",
    "Consent is a snapshot: permissions added to the registration later reach a tenant only when its admin consents again.",
  ];
  if (input.profile === "read-only") {
    notes.push(
      "Remediation later: declare the remediation permissions on the registration and consent again with `consent-url <tenantId> --remediation`.",
    );
  }
  if (input.mailTenantId && input.profile === "remediation" && input.mailTenantId.toLowerCase() !== input.tenantId.toLowerCase()) {
    notes.push(
      `Mail.Send is used only in the mail tenant ${input.mailTenantId} (MAIL_TENANT_ID): a customer tenant may leave it ungranted.`,
    );
  }
  if (input.redirectUri === undefined) {
    notes.push(
      "No --redirect-uri given: Entra needs one that exactly matches a redirect URI registered on the app (Authentication → Web); " +
        "without any registered it answers AADSTS500113. Pass --redirect-uri <url> for a URL to send as is.",
    );
  }
  return {
    tenantId: input.tenantId,
    clientId: input.clientId,
    profile: input.profile,
    features,
    url: adminConsentUrl(input),
    state: input.state,
    redirectUri: input.redirectUri ?? null,
    permissions,
    entraRoles,
    requiredResourceAccess: [
      { resourceAppId: MICROSOFT_GRAPH_APP_ID, resourceAccess: roleIds.map((id) => ({ id, type: "Role" as const })) },
    ],
    commands: {
      declare: `az ad app permission add --id ${input.clientId} --api ${MICROSOFT_GRAPH_APP_ID} --api-permissions ${roleIds.map((id) => `${id}=Role`).join(" ")}`,
      grantDirectly: [
        `az ad sp create --id ${input.clientId}   # the app's service principal in the tenant (skip if it exists)`,
        `app=$(az ad sp show --id ${input.clientId} --query id -o tsv); graph=$(az ad sp show --id ${MICROSOFT_GRAPH_APP_ID} --query id -o tsv)`,
        `for role in ${roleIds.join(" ")}; do az rest --method POST --url ${graphHost}/v1.0/servicePrincipals/$graph/appRoleAssignedTo ` +
          `--body "{\\"principalId\\":\\"$app\\",\\"resourceId\\":\\"$graph\\",\\"appRoleId\\":\\"$role\\"}"; done`,
      ],
      assignRoles: entraRoles.map(
        (role) =>
          `az rest --method POST --url ${graphHost}/v1.0/roleManagement/directory/roleAssignments ` +
          `--body "{\\"principalId\\":\\"$(az ad sp show --id ${input.clientId} --query id -o tsv)\\",\\"roleDefinitionId\\":\\"${role.templateId}\\",\\"directoryScopeId\\":\\"/\\"}"`,
      ),
    },
    notes,
  };
}

/** The admin-consent URL for the app in one tenant (v2 endpoint, `.default` of the configured cloud's Graph). */
export function adminConsentUrl(
  input: Pick<ConsentPlanInput, "tenantId" | "clientId" | "authorityHost" | "graphBaseUrl" | "redirectUri" | "state">,
): string {
  const url = new URL(`/${encodeURIComponent(input.tenantId)}/v2.0/adminconsent`, new URL(input.authorityHost).origin);
  url.searchParams.set("client_id", input.clientId);
  url.searchParams.set("scope", graphScope(input.graphBaseUrl));
  if (input.redirectUri !== undefined) url.searchParams.set("redirect_uri", input.redirectUri);
  url.searchParams.set("state", input.state);
  return url.toString();
}

/** The directory roles the manifest says the app needs for these features (administrator targets). */
export function entraRolesFor(features: readonly Feature[]): EntraRoleEntry[] {
  const byRole = new Map<string, Set<Feature>>();
  for (const call of GRAPH_CALLS) {
    if (call.adminTargetRole === undefined) continue;
    for (const feature of call.features.filter((f) => features.includes(f))) {
      const set = byRole.get(call.adminTargetRole) ?? new Set<Feature>();
      set.add(feature);
      byRole.set(call.adminTargetRole, set);
    }
  }
  return [...byRole].map(([name, set]) => ({ name, templateId: roleTemplateId(name), features: [...set] }));
}

/** A built-in role's template id by display name (shared/model/roles.ts), or a RangeError. */
export function roleTemplateId(name: string): string {
  const found = [...PRIVILEGED_ROLES].find(([, roleName]) => roleName === name)?.[0];
  if (found === undefined) throw new RangeError(`No role template id known for ${name}`);
  return found;
}

/** A redirect URI Entra can send an admin back to: https, or http on localhost (as Entra allows). */
export function redirectUriProblem(value: string): string | undefined {
  if (!URL.canParse(value)) return "must be an absolute URL registered on the app registration";
  const url = new URL(value);
  const local = url.hostname === "localhost" || url.hostname === "127.0.0.1";
  if (url.protocol !== "https:" && !(url.protocol === "http:" && local)) return "must be https (http only for localhost)";
  if (url.hash) return "must not contain a fragment";
  return undefined;
}

/** The instructions as text lines for a terminal. */
export function renderConsentPlan(plan: ConsentPlan): string[] {
  const title = plan.profile === "read-only" ? "the read-only sweep" : "the sweep and remediation";
  const lines = [
    `Admin consent for tenant-patrol (app ${plan.clientId}) in tenant ${plan.tenantId}: ${title}`,
    "",
    `Application permissions of Microsoft Graph this profile needs (${plan.permissions.length}):`,
    ...plan.permissions.map((p) => `  ${p.name.padEnd(40)} ${p.id}  ${p.features.map((f) => FEATURE_TITLES[f]).join("; ")}`),
  ];
  if (plan.entraRoles.length > 0) {
    lines.push("", "Entra role of the app's service principal (not part of consent):");
    for (const role of plan.entraRoles)
      lines.push(
        `  ${role.name} (${role.templateId}): ${role.features.map((f) => FEATURE_TITLES[f]).join("; ")}, for administrators as targets`,
      );
  }
  lines.push(
    "",
    "1. Once, in the app's home tenant: the registration declares these permissions",
    `   ${plan.commands.declare}`,
    "   (requiredResourceAccess:",
    `   ${JSON.stringify(plan.requiredResourceAccess)})`,
    "",
    "2. A Global Administrator or Privileged Role Administrator of the tenant opens:",
    `   ${plan.url}`,
    `   Entra answers at the redirect URI with admin_consent=True&tenant=${plan.tenantId}&state=${plan.state} (or error=…).`,
    "",
    "   Or, where the registration declares more than this profile: grant exactly these, signed in to the tenant",
    "   (az login --tenant <tenantId>) as a Privileged Role Administrator:",
    ...plan.commands.grantDirectly.map((c) => `   ${c}`),
  );
  if (plan.commands.assignRoles.length > 0) {
    lines.push("", "3. In the tenant, the app's Entra role:", ...plan.commands.assignRoles.map((c) => `   ${c}`));
  }
  lines.push(
    "",
    `${plan.commands.assignRoles.length > 0 ? "4" : "3"}. Then check: npm run tenants -- check ${plan.tenantId}`,
    "",
    "Notes:",
    ...plan.notes.map((n) => `- ${n}`),
  );
  return lines;
}
