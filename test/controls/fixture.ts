/**
 * ONE known-good tenant where every control passes, and helpers that change one thing in it.
 * Tests start from `goodSnapshot()` / `goodConfig()` and change exactly one field per case.
 *
 * The tenant: two Global Administrators (Alice, Bob) plus an excluded break-glass GA; a helpdesk
 * admin through a role-assignable group (Carol); a PIM-eligible Security Administrator (Dave);
 * a member (Erin), a guest (Gus), a new account that never signed in (Nina), a disabled
 * long-gone account (Frank), and a service account excluded through the break-glass group (Sam).
 * Security defaults are off; a CA policy requires MFA of everyone and one blocks legacy auth,
 * both excluding exactly the configured exclusions.
 */
import type { FindingRow } from "../../shared/model/findings.js";
import type {
  ConditionalAccessPolicy,
  RegistrationDetail,
  RoleGrant,
  Source,
  SnapshotUser,
  TenantSnapshot,
  UnavailableReason,
} from "../../shared/model/snapshot.js";
import type { TenantConfig } from "../../shared/model/tenant.js";
import type { Control } from "../../shared/controls/control.js";
import { GLOBAL_ADMINISTRATOR } from "../../shared/model/roles.js";

export const AS_OF = new Date("2025-06-01T12:00:00Z");

export const ROLE = {
  globalAdministrator: GLOBAL_ADMINISTRATOR,
  helpdeskAdministrator: "729827e3-9c14-49f7-bb1b-9608f156bbb8",
  securityAdministrator: "194ae4cb-b126-40b2-bd5b-6091b380977d",
  exchangeAdministrator: "29232cdf-9323-42fd-ade2-1d097af3e4de",
  globalReader: "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
} as const;

export const ID = {
  alice: "user-alice",
  bob: "user-bob",
  breakGlass: "user-breakglass",
  carol: "user-carol",
  dave: "user-dave",
  erin: "user-erin",
  gus: "user-gus",
  nina: "user-nina",
  frank: "user-frank",
  sam: "user-sam",
  automation: "sp-automation",
  helpdeskGroup: "group-helpdesk-admins",
  breakGlassGroup: "group-breakglass",
  mfaPolicy: "ca-require-mfa",
  legacyPolicy: "ca-block-legacy",
} as const;

/** `days` days before AS_OF, as Graph writes instants. */
export function daysAgo(days: number): string {
  return new Date(AS_OF.getTime() - days * 86_400_000).toISOString();
}

export const ok = <T>(data: T): Source<T> => ({ ok: true, data });

export function failed(reason: UnavailableReason, message = `refused: ${reason}`, code?: string): Source<never> {
  return { ok: false, reason, message, ...(code === undefined ? {} : { code }) };
}

function user(id: string, name: string, patch: Partial<SnapshotUser> = {}): SnapshotUser {
  return {
    id,
    userPrincipalName: `${name.toLowerCase()}@contoso.com`,
    displayName: name,
    accountEnabled: true,
    userType: "Member",
    createdDateTime: daysAgo(700),
    onPremisesSyncEnabled: null,
    signInActivity: {
      lastSignInDateTime: daysAgo(2),
      lastNonInteractiveSignInDateTime: daysAgo(1),
      lastSuccessfulSignInDateTime: daysAgo(2),
    },
    ...patch,
  };
}

function registration(id: string, patch: Partial<RegistrationDetail> = {}): RegistrationDetail {
  return { id, userPrincipalName: `${id}@contoso.com`, isMfaRegistered: true, isSsprEnabled: true, isSsprRegistered: true, ...patch };
}

export const grant = (principalId: string, roleDefinitionId: string, principalType: RoleGrant["principalType"] = "user"): RoleGrant => ({
  principalId,
  principalType,
  roleDefinitionId,
});

function policy(id: string, displayName: string, clientAppTypes: string[], builtInControls: string[]): ConditionalAccessPolicy {
  return {
    id,
    displayName,
    state: "enabled",
    conditions: {
      clientAppTypes,
      users: {
        includeUsers: ["All"],
        excludeUsers: [ID.breakGlass],
        includeGroups: [],
        excludeGroups: [ID.breakGlassGroup],
        includeRoles: [],
        excludeRoles: [],
        excludeGuestsOrExternalUsers: null,
      },
      applications: {
        includeApplications: ["All"],
        excludeApplications: [],
        includeUserActions: [],
        includeAuthenticationContextClassReferences: [],
        applicationFilter: null,
      },
      userRiskLevels: [],
      signInRiskLevels: [],
      servicePrincipalRiskLevels: [],
      insiderRiskLevels: [],
      platforms: null,
      locations: null,
      deviceFilter: null,
      authenticationFlows: [],
    },
    grantControls: { operator: "OR", builtInControls, customAuthenticationFactors: [], termsOfUse: [], authenticationStrength: null },
  };
}

/** Graph's built-in strengths as the policy listing returns them inline (ids are Microsoft's). */
export const STRENGTH = {
  mfa: { id: "00000000-0000-0000-0000-000000000002", displayName: "Multifactor authentication", requirementsSatisfied: "mfa" },
  phishingResistant: { id: "00000000-0000-0000-0000-000000000004", displayName: "Phishing-resistant MFA", requirementsSatisfied: "mfa" },
  /** A custom strength admitting a single factor (e.g. password alone): Graph says `none`. */
  singleFactor: { id: "strength-custom-password", displayName: "Password is enough", requirementsSatisfied: "none" },
} as const;

export function goodSnapshot(): TenantSnapshot {
  const neverSignedIn = {
    signInActivity: { lastSignInDateTime: null, lastNonInteractiveSignInDateTime: null, lastSuccessfulSignInDateTime: null },
  };
  return {
    tenantId: "tenant-contoso",
    collectedAt: AS_OF.toISOString(),
    users: ok([
      user(ID.alice, "Alice"),
      user(ID.bob, "Bob"),
      user(ID.breakGlass, "BreakGlass", { signInActivity: { lastSignInDateTime: daysAgo(200) } }),
      user(ID.carol, "Carol"),
      user(ID.dave, "Dave"),
      user(ID.erin, "Erin", { onPremisesSyncEnabled: true }),
      user(ID.gus, "Gus", { userType: "Guest", userPrincipalName: "gus_fabrikam.com#EXT#@contoso.com" }),
      user(ID.nina, "Nina", { createdDateTime: daysAgo(5), ...neverSignedIn }),
      user(ID.frank, "Frank", { accountEnabled: false, signInActivity: { lastSignInDateTime: daysAgo(400) } }),
      user(ID.sam, "Sam", { signInActivity: { lastNonInteractiveSignInDateTime: daysAgo(120) } }),
    ]),
    signInActivity: ok(true),
    registrationDetails: ok([
      registration(ID.alice),
      registration(ID.bob),
      registration(ID.breakGlass),
      registration(ID.carol),
      registration(ID.dave),
      registration(ID.erin),
      registration(ID.gus, { isSsprEnabled: false, isMfaRegistered: false }),
      registration(ID.nina),
      registration(ID.sam, { isSsprEnabled: false }),
    ]),
    roleAssignments: ok([
      grant(ID.alice, ROLE.globalAdministrator),
      grant(ID.bob, ROLE.globalAdministrator),
      grant(ID.breakGlass, ROLE.globalAdministrator),
      grant(ID.automation, ROLE.globalAdministrator, "servicePrincipal"),
      grant(ID.helpdeskGroup, ROLE.helpdeskAdministrator, "group"),
      grant(ID.erin, ROLE.globalReader),
    ]),
    roleEligibility: ok([grant(ID.dave, ROLE.securityAdministrator)]),
    groupMembers: {
      [ID.helpdeskGroup]: ok([{ id: ID.carol, type: "user" }]),
      [ID.breakGlassGroup]: ok([{ id: ID.sam, type: "user" }]),
    },
    securityDefaults: ok({ isEnabled: false }),
    conditionalAccessPolicies: ok([
      policy(ID.mfaPolicy, "Require MFA for all users", ["all"], ["mfa"]),
      policy(ID.legacyPolicy, "Block legacy authentication", ["exchangeActiveSync", "other"], ["block"]),
    ]),
    authorizationPolicy: ok({
      permissionGrantPoliciesAssigned: ["ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team"],
    }),
    domains: ok([
      { id: "contoso.onmicrosoft.com", isVerified: true, isRoot: true, authenticationType: "Managed", passwordValidityPeriodInDays: null },
      { id: "contoso.com", isVerified: true, isRoot: true, authenticationType: "Managed", passwordValidityPeriodInDays: 2147483647 },
    ]),
    perUserMfa: Object.fromEntries([ID.alice, ID.bob, ID.breakGlass, ID.carol, ID.dave].map((id) => [id, ok("disabled" as const)])),
  };
}

export function goodConfig(): TenantConfig {
  return {
    exclusions: { userIds: [ID.breakGlass], groupIds: [ID.breakGlassGroup] },
    approvers: ["secops@contoso.com"],
  };
}

/** The data of a source the test knows was read. */
export function dataOf<T>(source: Source<T>): T {
  if (!source.ok) throw new Error("fixture source is not ok");
  return source.data;
}

export function patchUser(snapshot: TenantSnapshot, id: string, patch: Partial<SnapshotUser>): TenantSnapshot {
  return { ...snapshot, users: ok(dataOf(snapshot.users).map((u) => (u.id === id ? { ...u, ...patch } : u))) };
}

export function patchRegistration(snapshot: TenantSnapshot, id: string, patch: Partial<RegistrationDetail> | null): TenantSnapshot {
  const rows = dataOf(snapshot.registrationDetails).flatMap((r) => (r.id !== id ? [r] : patch === null ? [] : [{ ...r, ...patch }]));
  return { ...snapshot, registrationDetails: ok(rows) };
}

type Conditions = ConditionalAccessPolicy["conditions"];

export interface PolicyPatch {
  readonly state?: ConditionalAccessPolicy["state"];
  readonly clientAppTypes?: string[];
  readonly includeApplications?: string[];
  readonly applications?: Partial<Conditions["applications"]>;
  readonly users?: Partial<Conditions["users"]>;
  /** Any other condition: risk levels, platforms, locations, device filter, authentication flows. */
  readonly conditions?: Partial<Omit<Conditions, "users" | "applications" | "clientAppTypes">>;
  readonly grant?: Partial<NonNullable<ConditionalAccessPolicy["grantControls"]>> | null;
}

export function patchPolicy(snapshot: TenantSnapshot, id: string, patch: PolicyPatch): TenantSnapshot {
  const change = (p: ConditionalAccessPolicy): ConditionalAccessPolicy => ({
    ...p,
    state: patch.state ?? p.state,
    conditions: {
      ...p.conditions,
      ...patch.conditions,
      clientAppTypes: patch.clientAppTypes ?? p.conditions.clientAppTypes,
      users: { ...p.conditions.users, ...patch.users },
      applications: {
        ...p.conditions.applications,
        ...patch.applications,
        includeApplications:
          patch.includeApplications ?? patch.applications?.includeApplications ?? p.conditions.applications.includeApplications,
      },
    },
    grantControls: patch.grant === null || p.grantControls === null ? null : { ...p.grantControls, ...patch.grant },
  });
  const policies = dataOf(snapshot.conditionalAccessPolicies).map((p) => (p.id === id ? change(p) : p));
  return { ...snapshot, conditionalAccessPolicies: ok(policies) };
}

export function withoutPolicy(snapshot: TenantSnapshot, id: string): TenantSnapshot {
  return { ...snapshot, conditionalAccessPolicies: ok(dataOf(snapshot.conditionalAccessPolicies).filter((p) => p.id !== id)) };
}

export function run(control: Control, snapshot = goodSnapshot(), config = goodConfig(), asOf = AS_OF): FindingRow[] {
  return control.evaluate({ snapshot, config, asOf });
}

/** The single row a tenant-level control must yield. */
export function only(rows: readonly FindingRow[]): FindingRow {
  if (rows.length !== 1 || rows[0] === undefined) throw new Error(`expected exactly one row, got ${rows.length}`);
  return rows[0];
}

export function withGrant(snapshot: TenantSnapshot, source: "roleAssignments" | "roleEligibility", added: RoleGrant): TenantSnapshot {
  return { ...snapshot, [source]: ok([...dataOf(snapshot[source]), added]) };
}

export function withGroupMembers(
  snapshot: TenantSnapshot,
  groupId: string,
  members: TenantSnapshot["groupMembers"][string],
): TenantSnapshot {
  return { ...snapshot, groupMembers: { ...snapshot.groupMembers, [groupId]: members } };
}
