/**
 * docs/controls.md, "Conditional Access: when a policy counts": one case per rule, each changing one
 * field of a known-good policy, for the MFA policy (mfa.all-users), the legacy-block policy
 * (auth.legacy-blocked) and, where the rule differs, the enforcement part of mfa.admins.
 * Every refusal must also say why in the fail row's `policiesNotCounted`.
 */
import { describe, expect, it } from "vitest";
import { authLegacyBlocked } from "../../shared/controls/auth-legacy-blocked.js";
import { mfaAdmins } from "../../shared/controls/mfa-admins.js";
import { mfaAllUsers } from "../../shared/controls/mfa-all-users.js";
import type { Control } from "../../shared/controls/control.js";
import type { TenantSnapshot } from "../../shared/model/snapshot.js";
import {
  ID,
  ROLE,
  STRENGTH,
  goodSnapshot,
  grant,
  ok,
  only,
  patchPolicy,
  patchRegistration,
  run,
  withGrant,
  type PolicyPatch,
} from "./fixture.js";

const ALL_GUESTS = {
  guestOrExternalUserTypes: ["internalGuest", "b2bCollaborationGuest", "b2bCollaborationMember"],
  externalTenants: "all" as const,
};

/** Rules shared by both policies: [case, patch, the reason the fail row gives]. */
const SHARED_RULES: [string, PolicyPatch, string][] = [
  [
    "excluding an application",
    { applications: { excludeApplications: ["00000002-0000-0ff1-ce00-000000000000"] } },
    "excludes applications: 00000002-0000-0ff1-ce00-000000000000",
  ],
  [
    "for a user action (registering security info)",
    { includeApplications: [], applications: { includeUserActions: ["urn:user:registersecurityinfo"] } },
    "only for user actions: urn:user:registersecurityinfo",
  ],
  [
    "for an authentication context",
    { includeApplications: [], applications: { includeAuthenticationContextClassReferences: ["c1"] } },
    "only for authentication contexts: c1",
  ],
  [
    "filtering applications",
    { applications: { applicationFilter: { mode: "exclude", rule: 'CustomSecurityAttribute.tier -eq "low"' } } },
    "applications filtered (exclude",
  ],
  ["firing only at high user risk", { conditions: { userRiskLevels: ["high"] } }, "fires only at user risk: high"],
  ["firing only at sign-in risk", { conditions: { signInRiskLevels: ["high", "medium"] } }, "fires only at sign-in risk: high, medium"],
  [
    "firing only at service principal risk",
    { conditions: { servicePrincipalRiskLevels: ["high"] } },
    "fires only at service principal risk: high",
  ],
  ["firing only at insider risk", { conditions: { insiderRiskLevels: ["elevated"] } }, "fires only at insider risk: elevated"],
  [
    "limited to some platforms",
    { conditions: { platforms: { include: ["android", "iOS"], exclude: [] } } },
    "only for platforms: android, iOS",
  ],
  ["excluding a platform", { conditions: { platforms: { include: ["all"], exclude: ["linux"] } } }, "excludes platforms: linux"],
  ["limited to some locations", { conditions: { locations: { include: ["loc-branch"], exclude: [] } } }, "only for locations: loc-branch"],
  [
    "excluding trusted locations",
    { conditions: { locations: { include: ["All"], exclude: ["AllTrusted"] } } },
    "excludes locations: AllTrusted",
  ],
  [
    "filtering devices",
    { conditions: { deviceFilter: { mode: "include", rule: 'device.operatingSystem -eq "Windows"' } } },
    "devices filtered (include",
  ],
  [
    "limited to an authentication flow",
    { conditions: { authenticationFlows: ["deviceCodeFlow"] } },
    "only for authentication flows: deviceCodeFlow",
  ],
  [
    "excluding all B2B guests",
    { users: { excludeGuestsOrExternalUsers: ALL_GUESTS } },
    "excludes guests or external users: internalGuest, b2bCollaborationGuest, b2bCollaborationMember (all external tenants)",
  ],
  [
    "excluding guests of one partner tenant",
    {
      users: { excludeGuestsOrExternalUsers: { guestOrExternalUserTypes: ["b2bCollaborationGuest"], externalTenants: ["partner-tenant"] } },
    },
    "excludes guests or external users: b2bCollaborationGuest (tenants partner-tenant)",
  ],
  ["excluding a role", { users: { excludeRoles: [ROLE.globalAdministrator] } }, `excludes roles: ${ROLE.globalAdministrator}`],
  [
    "excluding a user who is not a configured exclusion",
    { users: { excludeUsers: [ID.breakGlass, ID.erin] } },
    `excludes users that are not configured exclusions: ${ID.erin}`,
  ],
  ["report-only", { state: "enabledForReportingButNotEnforced" }, "report-only"],
];

/** Conditions that are present but narrow nothing: the policy still counts. */
const NOT_NARROWING: [string, PolicyPatch][] = [
  ["platforms including all, excluding none", { conditions: { platforms: { include: ["all"], exclude: [] } } }],
  ["locations including All, excluding none", { conditions: { locations: { include: ["All"], exclude: [] } } }],
  ["empty risk levels", { conditions: { userRiskLevels: [], signInRiskLevels: [], insiderRiskLevels: [] } }],
];

const notCountedReasons = (control: Control, snapshot: TenantSnapshot): string[] => {
  const detail = only(run(control, snapshot)).detail as { policiesNotCounted?: { reasons: string[] }[] };
  return (detail.policiesNotCounted ?? []).flatMap((policy) => policy.reasons);
};

describe.each([
  ["an MFA policy (mfa.all-users)", mfaAllUsers, ID.mfaPolicy],
  ["a legacy-block policy (auth.legacy-blocked)", authLegacyBlocked, ID.legacyPolicy],
] as const)("%s", (_, control, policyId) => {
  it.each(SHARED_RULES)("does not count when %s, and says why", (__, patch, reason) => {
    const snapshot = patchPolicy(goodSnapshot(), policyId, patch);
    expect(only(run(control, snapshot)).status).toBe("fail");
    expect(notCountedReasons(control, snapshot)).toContainEqual(expect.stringContaining(reason));
  });

  it.each(NOT_NARROWING)("counts with %s", (__, patch) => {
    expect(only(run(control, patchPolicy(goodSnapshot(), policyId, patch))).status).toBe("pass");
  });

  it("names every shortfall of one policy, not just the first", () => {
    const snapshot = patchPolicy(goodSnapshot(), policyId, {
      state: "disabled",
      conditions: { signInRiskLevels: ["high"] },
      users: { excludeGuestsOrExternalUsers: ALL_GUESTS },
    });
    expect(notCountedReasons(control, snapshot)).toEqual([
      "disabled",
      "fires only at sign-in risk: high",
      expect.stringContaining("excludes guests or external users"),
    ]);
  });
});

describe("the MFA grant", () => {
  const mfaVerdict = (patch: PolicyPatch) => only(run(mfaAllUsers, patchPolicy(goodSnapshot(), ID.mfaPolicy, patch)));

  it.each([
    ["an MFA authentication strength alone", { builtInControls: [], authenticationStrength: STRENGTH.mfa }],
    [
      "a phishing-resistant strength AND a compliant device",
      { operator: "AND", builtInControls: ["compliantDevice"], authenticationStrength: STRENGTH.phishingResistant },
    ],
    ["mfa AND terms of use", { operator: "AND", builtInControls: ["mfa"], termsOfUse: ["tou-1"] }],
  ])("counts %s", (_, grantPatch) => {
    expect(mfaVerdict({ grant: grantPatch }).status).toBe("pass");
  });

  it.each([
    [
      "a strength admitting a single factor",
      { builtInControls: [], authenticationStrength: STRENGTH.singleFactor },
      "authentication strength Password is enough does not require MFA (requirementsSatisfied: none)",
    ],
    [
      "a strength Graph returned without requirementsSatisfied",
      { builtInControls: [], authenticationStrength: { id: "s", displayName: "Unknown", requirementsSatisfied: null } },
      "requirementsSatisfied: not returned",
    ],
    [
      "an MFA strength OR a compliant device",
      { builtInControls: ["compliantDevice"], authenticationStrength: STRENGTH.mfa },
      "MFA OR compliantDevice",
    ],
    ["mfa OR terms of use", { builtInControls: ["mfa"], termsOfUse: ["tou-1"] }, "MFA OR terms of use tou-1"],
    ["mfa OR a custom control", { builtInControls: ["mfa"], customAuthenticationFactors: ["duo"] }, "MFA OR custom control duo"],
  ])("does not count %s", (_, grantPatch, reason) => {
    const snapshot = patchPolicy(goodSnapshot(), ID.mfaPolicy, { grant: grantPatch });
    expect(only(run(mfaAllUsers, snapshot)).status).toBe("fail");
    expect(notCountedReasons(mfaAllUsers, snapshot)).toContainEqual(expect.stringContaining(reason));
  });

  it("must cover modern clients: a browser-only MFA policy does not count", () => {
    const snapshot = patchPolicy(goodSnapshot(), ID.mfaPolicy, { clientAppTypes: ["browser"] });
    expect(notCountedReasons(mfaAllUsers, snapshot)).toEqual([expect.stringContaining("not every modern client")]);
  });

  it("keeps a passing row's evidence to the policies that count", () => {
    expect(only(run(mfaAllUsers)).detail).not.toHaveProperty("policiesNotCounted");
  });
});

describe("mfa.admins: whose exclusions matter", () => {
  /** Gus, a registered B2B guest, holds Global Administrator. */
  const withGuestAdmin = (patch: PolicyPatch): TenantSnapshot => {
    const admin = withGrant(patchPolicy(goodSnapshot(), ID.mfaPolicy, patch), "roleAssignments", grant(ID.gus, ROLE.globalAdministrator));
    const registered = patchRegistration(admin, ID.gus, { isMfaRegistered: true });
    return { ...registered, perUserMfa: { ...registered.perUserMfa, [ID.gus]: ok("disabled" as const) } };
  };

  it("does not enforce MFA on a guest admin a policy excludes as a guest, and says so", () => {
    const rows = run(mfaAdmins, withGuestAdmin({ users: { excludeGuestsOrExternalUsers: ALL_GUESTS } }));
    expect(rows).toMatchObject([
      {
        subjectId: ID.gus,
        status: "fail",
        detail: {
          reason: "not-enforced",
          policiesNotCounted: [{ id: ID.mfaPolicy, reasons: [expect.stringContaining("excludes guests or external users")] }],
        },
      },
    ]);
  });

  it("treats a #EXT# member account (B2B collaboration member) as external", () => {
    const snapshot = withGuestAdmin({ users: { excludeGuestsOrExternalUsers: ALL_GUESTS } });
    const asMember = {
      ...snapshot,
      users: {
        ok: true as const,
        data: (snapshot.users.ok ? snapshot.users.data : []).map((u) => (u.id === ID.gus ? { ...u, userType: "Member" } : u)),
      },
    };
    expect(run(mfaAdmins, asMember).map((row) => row.subjectId)).toEqual([ID.gus]);
  });

  it("still enforces MFA on member admins when only guests are excluded", () => {
    expect(run(mfaAdmins, patchPolicy(goodSnapshot(), ID.mfaPolicy, { users: { excludeGuestsOrExternalUsers: ALL_GUESTS } }))).toEqual([]);
  });

  it("ignores exclusions of other people (an unconfigured user, a role the admins do not hold)", () => {
    const patch = { users: { excludeUsers: [ID.erin], excludeRoles: [ROLE.exchangeAdministrator] } };
    expect(run(mfaAdmins, patchPolicy(goodSnapshot(), ID.mfaPolicy, patch))).toEqual([]);
  });

  it.each(SHARED_RULES.filter(([name]) => !name.startsWith("excluding a") && !name.includes("guests")))(
    "does not count a policy %s for admins either",
    (_, patch, reason) => {
      const rows = run(mfaAdmins, patchPolicy(goodSnapshot(), ID.mfaPolicy, patch));
      expect(rows.map((row) => row.subjectId).sort()).toEqual([ID.alice, ID.bob, ID.carol, ID.dave]);
      const notCounted = rows[0]?.detail.policiesNotCounted as { reasons: string[] }[];
      expect(notCounted.flatMap((policy) => policy.reasons)).toContainEqual(expect.stringContaining(reason));
    },
  );
});

describe("found by a review: ways a policy could pass for protecting someone it does not", () => {
  /** Only a role-targeted MFA policy (the Microsoft template's shape): includeUsers empty, includeRoles set. */
  const onlyRolePolicy = (roles: string[]) =>
    patchPolicy(goodSnapshot(), ID.mfaPolicy, { users: { includeUsers: [], includeRoles: roles } });

  it("mfa.admins: the older guest value in excludeUsers (GuestsOrExternalUsers) leaves a guest admin out", () => {
    const snapshot = patchRegistration(
      withGrant(
        patchPolicy(goodSnapshot(), ID.mfaPolicy, { users: { excludeUsers: [ID.breakGlass, "GuestsOrExternalUsers"] } }),
        "roleAssignments",
        grant(ID.gus, ROLE.globalAdministrator),
      ),
      ID.gus,
      { isMfaRegistered: true },
    );
    const rows = run(mfaAdmins, { ...snapshot, perUserMfa: { ...snapshot.perUserMfa, [ID.gus]: ok("disabled" as const) } });
    expect(rows).toMatchObject([{ subjectId: ID.gus, status: "fail", detail: { reason: "not-enforced" } }]);
    expect(rows[0]?.detail.policiesNotCounted).toEqual([
      { id: ID.mfaPolicy, displayName: "Require MFA for all users", reasons: ["excludes guests or external users: GuestsOrExternalUsers"] },
    ]);
  });

  it("mfa.admins: includeRoles does not reach a role scoped to an administrative unit", () => {
    const scoped = { ...grant(ID.erin, ROLE.helpdeskAdministrator), directoryScopeId: "/administrativeUnits/au-sales" };
    const snapshot = withGrant(onlyRolePolicy([ROLE.globalAdministrator, ROLE.helpdeskAdministrator]), "roleAssignments", scoped);
    const erin = run(mfaAdmins, { ...snapshot, perUserMfa: { ...snapshot.perUserMfa, [ID.erin]: ok("disabled" as const) } }).find(
      (row) => row.subjectId === ID.erin,
    );
    expect(erin).toMatchObject({ status: "fail", detail: { reason: "not-enforced", roles: ["Helpdesk Administrator"] } });
  });

  it("mfa.admins: role ids in a policy match whatever their case", () => {
    const upper = ROLE.globalAdministrator.toUpperCase();
    expect(run(mfaAdmins, onlyRolePolicy([upper])).map((row) => row.subjectId)).not.toContain(ID.alice);
    const excluded = run(mfaAdmins, patchPolicy(goodSnapshot(), ID.mfaPolicy, { users: { excludeRoles: [upper] } }));
    expect(excluded.map((row) => row.subjectId)).toEqual(expect.arrayContaining([ID.alice, ID.bob]));
  });

  it("mfa OR a strength that is not MFA does not require MFA (the strength alone lets a sign-in through)", () => {
    const snapshot = patchPolicy(goodSnapshot(), ID.mfaPolicy, {
      grant: { builtInControls: ["mfa"], authenticationStrength: STRENGTH.singleFactor },
    });
    expect(only(run(mfaAllUsers, snapshot)).status).toBe("fail");
    expect(notCountedReasons(mfaAllUsers, snapshot)).toEqual([
      expect.stringContaining("MFA OR authentication strength Password is enough (not MFA)"),
    ]);
  });

  it("authentication flows `none` narrows nothing", () => {
    expect(
      only(run(mfaAllUsers, patchPolicy(goodSnapshot(), ID.mfaPolicy, { conditions: { authenticationFlows: ["none"] } }))).status,
    ).toBe("pass");
  });
});
