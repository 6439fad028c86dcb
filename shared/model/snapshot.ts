/**
 * What the collectors read from Graph for one tenant: plain JSON, so a saved snapshot can be
 * judged again offline. Collection knows Graph and nothing about rules; controls read only this.
 *
 * Every source records whether it was read. A control whose source failed yields `unknown`
 * with the reason, never `pass` (ScubaGear's CommandTracker habit).
 */

/** Closed list of reasons a source could not be read. */
export const UNAVAILABLE_REASONS = ["license", "permission", "error"] as const;
export type UnavailableReason = (typeof UNAVAILABLE_REASONS)[number];

export type Source<T> =
  | { readonly ok: true; readonly data: T }
  | {
      readonly ok: false;
      readonly reason: UnavailableReason;
      /** Graph error code, e.g. `Authentication_RequestFromNonPremiumTenantOrB2CTenant`. */
      readonly code?: string;
      readonly message: string;
    };

export interface SignInActivity {
  readonly lastSignInDateTime?: string | null;
  readonly lastNonInteractiveSignInDateTime?: string | null;
  readonly lastSuccessfulSignInDateTime?: string | null;
}

export interface SnapshotUser {
  readonly id: string;
  readonly userPrincipalName: string;
  readonly displayName: string | null;
  readonly accountEnabled: boolean;
  /** Graph's user.userType: "Member" or "Guest" (null on some old accounts). */
  readonly userType: string | null;
  readonly createdDateTime: string | null;
  readonly onPremisesSyncEnabled: boolean | null;
  /** Absent when Graph did not return it: never signed in, or signInActivity not readable. */
  readonly signInActivity?: SignInActivity;
}

/** One row of v1.0/reports/authenticationMethods/userRegistrationDetails. */
export interface RegistrationDetail {
  readonly id: string;
  readonly userPrincipalName: string;
  readonly isMfaRegistered: boolean;
  readonly isSsprEnabled: boolean;
  readonly isSsprRegistered: boolean;
}

export type PrincipalType = "user" | "group" | "servicePrincipal" | "other";

/** An active role assignment or a PIM eligibility schedule, reduced to what controls need. */
export interface RoleGrant {
  readonly principalId: string;
  readonly principalType: PrincipalType;
  /** For built-in roles this equals the role template id. */
  readonly roleDefinitionId: string;
  /**
   * Where the role applies: `/` the whole tenant, or an administrative unit
   * (`/administrativeUnits/{id}`) or a single object. Absent means `/`.
   */
  readonly directoryScopeId?: string;
}

export interface GroupMember {
  readonly id: string;
  readonly type: PrincipalType;
}

export type ConditionalAccessState = "enabled" | "disabled" | "enabledForReportingButNotEnforced";

/**
 * A policy's `excludeGuestsOrExternalUsers` (or `include...`): which kinds of guest and external
 * user, from which tenants. Graph sends the kinds as a flags enum, one comma-separated string.
 */
export interface GuestsOrExternalUsers {
  /** e.g. `internalGuest`, `b2bCollaborationGuest`, `b2bCollaborationMember`, `serviceProvider`. */
  readonly guestOrExternalUserTypes: readonly string[];
  /** `all` external tenants, or the tenant ids named. */
  readonly externalTenants: "all" | readonly string[];
}

/** A rule-based filter (`applicationFilter`, `devices.deviceFilter`): `include` or `exclude` what matches. */
export interface ConditionalAccessFilter {
  readonly mode: string;
  readonly rule: string;
}

/** An include list and an exclude list (`platforms`, `locations`). */
export interface IncludeExclude {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}

/**
 * The parts of a conditionalAccessPolicy the controls judge (Graph's own property names, except
 * that `platforms` and `locations` are reduced to include/exclude lists and a missing condition
 * is null or empty). Every condition that can narrow a policy is kept: docs/controls.md
 * ("Conditional Access: when a policy counts") says a narrowed policy does not count.
 */
export interface ConditionalAccessPolicy {
  readonly id: string;
  readonly displayName: string;
  readonly state: ConditionalAccessState;
  readonly conditions: {
    readonly clientAppTypes: readonly string[];
    readonly users: {
      readonly includeUsers: readonly string[];
      readonly excludeUsers: readonly string[];
      readonly includeGroups: readonly string[];
      readonly excludeGroups: readonly string[];
      readonly includeRoles: readonly string[];
      readonly excludeRoles: readonly string[];
      readonly excludeGuestsOrExternalUsers: GuestsOrExternalUsers | null;
    };
    readonly applications: {
      readonly includeApplications: readonly string[];
      readonly excludeApplications: readonly string[];
      readonly includeUserActions: readonly string[];
      readonly includeAuthenticationContextClassReferences: readonly string[];
      readonly applicationFilter: ConditionalAccessFilter | null;
    };
    readonly userRiskLevels: readonly string[];
    readonly signInRiskLevels: readonly string[];
    readonly servicePrincipalRiskLevels: readonly string[];
    /** A flags enum on the wire (comma-separated), split here like the others. */
    readonly insiderRiskLevels: readonly string[];
    readonly platforms: IncludeExclude | null;
    readonly locations: IncludeExclude | null;
    readonly deviceFilter: ConditionalAccessFilter | null;
    /** `authenticationFlows.transferMethods` (e.g. `deviceCodeFlow`), empty when not set. */
    readonly authenticationFlows: readonly string[];
  };
  readonly grantControls: {
    readonly operator: string;
    readonly builtInControls: readonly string[];
    readonly customAuthenticationFactors: readonly string[];
    readonly termsOfUse: readonly string[];
    /** Present (non-null) when the policy requires an authentication strength. */
    readonly authenticationStrength: AuthenticationStrength | null;
  } | null;
}

/**
 * The authentication strength a grant requires, as Graph returns it inline in the policy listing.
 * `requirementsSatisfied` is `mfa` when every allowed combination is multifactor, `none` when some
 * combination is a single factor; null when Graph did not say (then it is not proven to be MFA).
 */
export interface AuthenticationStrength {
  readonly id: string;
  readonly displayName: string;
  readonly requirementsSatisfied: string | null;
}

export interface Domain {
  readonly id: string;
  readonly isVerified: boolean;
  /** False for a subdomain (it inherits its root's password policy) and for an unverified domain. */
  readonly isRoot: boolean;
  readonly authenticationType: string;
  readonly passwordValidityPeriodInDays: number | null;
}

export type PerUserMfaState = "disabled" | "enabled" | "enforced" | "unknownFutureValue";

export interface TenantSnapshot {
  readonly tenantId: string;
  /** ISO-8601 instant the collection started. */
  readonly collectedAt: string;
  /**
   * All users. `ok:false` only when the directory itself could not be listed. When only
   * signInActivity was refused (no P1, or no AuditLog.Read.All), users are listed without it and
   * `signInActivity` carries the reason.
   */
  readonly users: Source<readonly SnapshotUser[]>;
  readonly signInActivity: Source<true>;
  readonly registrationDetails: Source<readonly RegistrationDetail[]>;
  readonly roleAssignments: Source<readonly RoleGrant[]>;
  /** PIM eligible assignments; `license` without P2 (eligible admins then not visible). */
  readonly roleEligibility: Source<readonly RoleGrant[]>;
  /**
   * Direct members of every group the controls may ask about: role-assignable groups holding
   * privileged roles, groups named in Conditional Access policies, excluded groups.
   */
  readonly groupMembers: Readonly<Record<string, Source<readonly GroupMember[]>>>;
  readonly securityDefaults: Source<{ readonly isEnabled: boolean }>;
  readonly conditionalAccessPolicies: Source<readonly ConditionalAccessPolicy[]>;
  readonly authorizationPolicy: Source<{ readonly permissionGrantPoliciesAssigned: readonly string[] }>;
  readonly domains: Source<readonly Domain[]>;
  /** Per-user MFA state (beta), read only for admins. */
  readonly perUserMfa: Readonly<Record<string, Source<PerUserMfaState>>>;
}
