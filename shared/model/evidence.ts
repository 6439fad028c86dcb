/**
 * The evidence each control's finding rows carry, one variant per control. The controls build
 * their rows only through these types (shared/controls/rows.ts), and shared/views/evidence.ts
 * labels every field of every variant, so renaming a field does not compile until the rows
 * everyone renders follow it. Stored evidence is JSON of these shapes, possibly written by an
 * older version: readers get it as FindingDetail and never assume a variant.
 * Type aliases, not interfaces: evidence must fit FindingDetail's index signature.
 */
import type { ControlId } from "./findings.js";
import type { PerUserMfaState, UnavailableReason } from "./snapshot.js";

/** Present (true) in stored evidence that was too large to keep; the rest of it is gone. */
export const DETAIL_TRUNCATED_KEY = "$truncated";

/** A source that could not be read: its name in the snapshot and why (closed list of reasons). */
export type Unreadable = {
  /** Snapshot key, e.g. `users`, or `groupMembers/<id>` / `perUserMfa/<id>` for keyed sources. */
  readonly source: string;
  readonly reason: UnavailableReason;
  readonly message: string;
  readonly code?: string;
};

/**
 * What every `unknown` row adds to its control's evidence: the first unreadable source, all of
 * them when several, and for a fail that an unreadable excluded group might excuse, that (with the
 * fail's own `reason` moved to `failReason`).
 */
export type UnknownFields = Unreadable & {
  readonly sources?: readonly string[];
  readonly exclusionUnproven?: true;
  readonly failReason?: string;
};

/** The account a per-user row is about: the heading of the item, not one of its evidence rows. */
export type AccountEvidence = {
  readonly userPrincipalName: string;
  readonly displayName: string | null;
};

export type InactivityControl = "accounts.inactive-30" | "accounts.inactive-90";

export type InactiveAccountEvidence = AccountEvidence & {
  readonly userType: string | null;
  readonly onPremisesSyncEnabled: boolean | null;
  /** The latest sign-in of any kind (ISO instant); null when none was ever recorded. */
  readonly lastActivity: string | null;
  readonly neverSignedIn: boolean;
  readonly createdDateTime: string | null;
  readonly daysInactive: number;
};

export type PolicyRef = { readonly id: string; readonly displayName: string };

/** A Conditional Access policy meant for the purpose that does not count, and why. */
export type PolicyNotCounted = PolicyRef & { readonly reasons: readonly string[] };

/** Registered for MFA, but not required to use it: by no policy, and not per user. */
export type AdminMfaNotEnforced = {
  readonly reason: "not-enforced";
  readonly perUserMfaState: PerUserMfaState | null;
  readonly policiesNotCounted?: readonly PolicyNotCounted[];
};

export type AdminMfaEvidence = AccountEvidence & { readonly roles: readonly string[] } & (
    { readonly reason: "not-registered" } | AdminMfaNotEnforced
  );

/** The judgement of the Conditional Access policies, for each control met by defaults or CA. */
export type BaselineJudgements = {
  readonly "mfa.all-users": {
    readonly policies: readonly PolicyRef[];
    readonly policiesNotCounted?: readonly PolicyNotCounted[];
  };
  readonly "auth.legacy-blocked": {
    /** Legacy client types no counted policy blocks. */
    readonly missing: readonly string[];
    readonly policies: readonly PolicyRef[];
    readonly policiesNotCounted?: readonly PolicyNotCounted[];
  };
};

export type BaselineControl = keyof BaselineJudgements;

/** Decided on security defaults (on), or on the policies' judgement (defaults off or unreadable for licence). */
export type BaselineEvidence<C extends BaselineControl> =
  | { readonly decidedOn: "security-defaults"; readonly securityDefaultsEnabled: true }
  | (BaselineJudgements[C] & {
      readonly decidedOn: "security-defaults" | "conditional-access";
      readonly securityDefaultsEnabled?: false;
      /** Why CA was not read, when the tenant has no licence for it. */
      readonly conditionalAccess?: string;
    });

/** The evidence of a `pass` or `fail` row, per control. */
export type JudgedEvidenceByControl = {
  readonly "accounts.inactive-30": InactiveAccountEvidence;
  readonly "accounts.inactive-90": InactiveAccountEvidence;
  readonly "mfa.admins": AdminMfaEvidence;
  readonly "mfa.all-users": BaselineEvidence<"mfa.all-users">;
  readonly "auth.legacy-blocked": BaselineEvidence<"auth.legacy-blocked">;
  readonly "password.sspr-enabled": {
    readonly usersChecked: number;
    readonly usersWithoutSspr: number;
    /** The first user ids without SSPR, sorted. */
    readonly sample: readonly string[];
  };
  readonly "password.never-expire": { readonly passwordValidityPeriodInDays: number | null };
  readonly "apps.user-consent": {
    readonly offending: readonly string[];
    readonly permissionGrantPoliciesAssigned: readonly string[];
  };
  readonly "roles.global-admin-count": {
    readonly count: number;
    readonly admins: readonly string[];
    /** false when PIM eligibility was not visible (no P2): only active holders were counted. */
    readonly eligibleCounted: boolean;
  };
};

export type JudgedEvidence<C extends ControlId> = JudgedEvidenceByControl[C];

/** What an `unknown` row still knows of its control's evidence (some of it, or none). */
export type KnownEvidence<C extends ControlId> = Partial<JudgedEvidence<C>> & Pick<UnknownFields, "exclusionUnproven">;
