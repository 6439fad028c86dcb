import { describe, expect, it } from "vitest";
import { mfaAdmins } from "../../shared/controls/mfa-admins.js";
import {
  ID,
  ROLE,
  STRENGTH,
  failed,
  goodConfig,
  goodSnapshot,
  grant,
  ok,
  patchPolicy,
  patchRegistration,
  patchUser,
  run,
  withGrant,
  withoutPolicy,
} from "./fixture.js";

const ADMINS = [ID.alice, ID.bob, ID.carol, ID.dave];
const subjects = (rows: ReturnType<typeof run>) => rows.map((r) => r.subjectId).sort();
const statuses = (rows: ReturnType<typeof run>): Record<string, string> =>
  Object.fromEntries(rows.map((r) => [String(r.subjectId), r.status]));
/** Second baseline: the known-good tenant minus its MFA policy, so no admin is enforced. */
const unenforced = () => withoutPolicy(goodSnapshot(), ID.mfaPolicy);
const mfaPolicy = (patch: Parameters<typeof patchPolicy>[2]) => patchPolicy(goodSnapshot(), ID.mfaPolicy, patch);

describe("mfa.admins", () => {
  it("has the catalog's id and severity", () => {
    expect([mfaAdmins.id, mfaAdmins.severity]).toEqual(["mfa.admins", "high"]);
  });

  it("yields no rows for the known-good tenant", () => {
    expect(run(mfaAdmins)).toEqual([]);
  });

  it("fails an admin not registered for MFA", () => {
    const rows = run(mfaAdmins, patchRegistration(goodSnapshot(), ID.alice, { isMfaRegistered: false }));
    expect(rows).toEqual([
      {
        control: "mfa.admins",
        subjectId: ID.alice,
        status: "fail",
        severity: "high",
        detail: { reason: "not-registered", userPrincipalName: "alice@contoso.com", displayName: "Alice", roles: ["Global Administrator"] },
      },
    ]);
  });

  it("fails every registered admin as not-enforced without security defaults, CA or per-user MFA", () => {
    const rows = run(mfaAdmins, unenforced());
    expect(subjects(rows)).toEqual(ADMINS);
    expect(rows.find((r) => r.subjectId === ID.alice)?.detail).toEqual({
      reason: "not-enforced",
      userPrincipalName: "alice@contoso.com",
      displayName: "Alice",
      roles: ["Global Administrator"],
      perUserMfaState: "disabled",
    });
  });

  it("finds admins through a role-assignable group and through PIM eligibility, with their role names", () => {
    const rows = run(mfaAdmins, unenforced());
    expect(rows.find((r) => r.subjectId === ID.carol)?.detail.roles).toEqual(["Helpdesk Administrator"]);
    expect(rows.find((r) => r.subjectId === ID.dave)?.detail.roles).toEqual(["Security Administrator"]);
  });

  it("lists each admin once with all privileged roles (non-privileged roles are not listed)", () => {
    const snapshot = withGrant(unenforced(), "roleEligibility", grant(ID.alice, ROLE.exchangeAdministrator));
    const alice = run(mfaAdmins, snapshot).filter((r) => r.subjectId === ID.alice);
    expect(alice).toHaveLength(1);
    expect(alice[0]?.detail.roles).toEqual(["Global Administrator", "Exchange Administrator"]);
  });

  it("does not treat service principals or holders of non-privileged roles as admins", () => {
    // The fixture's service principal holds Global Administrator; Erin holds Global Reader.
    expect(subjects(run(mfaAdmins, unenforced()))).not.toContain(ID.automation);
    expect(subjects(run(mfaAdmins, unenforced()))).not.toContain(ID.erin);
  });

  it("skips disabled admins", () => {
    expect(subjects(run(mfaAdmins, patchUser(unenforced(), ID.alice, { accountEnabled: false })))).toEqual([ID.bob, ID.carol, ID.dave]);
  });

  it("reports unknown (reason error) for an enabled admin without a registration row", () => {
    const rows = run(mfaAdmins, patchRegistration(goodSnapshot(), ID.bob, null));
    expect(rows).toEqual([
      {
        control: "mfa.admins",
        subjectId: ID.bob,
        status: "unknown",
        severity: "high",
        detail: {
          userPrincipalName: "bob@contoso.com",
          displayName: "Bob",
          roles: ["Global Administrator"],
          reason: "error",
          source: "registrationDetails",
          message: "no userRegistrationDetails row for this enabled admin",
        },
      },
    ]);
  });

  it("reports unknown for an admin missing from the users listing", () => {
    const snapshot = withGrant(goodSnapshot(), "roleAssignments", grant("user-ghost", ROLE.globalAdministrator));
    expect(run(mfaAdmins, snapshot)).toMatchObject([
      { subjectId: "user-ghost", status: "unknown", detail: { reason: "error", source: "users", roles: ["Global Administrator"] } },
    ]);
  });

  describe("enforcement", () => {
    it("is met by security defaults", () => {
      expect(run(mfaAdmins, { ...unenforced(), securityDefaults: ok({ isEnabled: true }) })).toEqual([]);
    });

    it("is met by per-user MFA `enforced`", () => {
      const snapshot = { ...unenforced(), perUserMfa: { ...unenforced().perUserMfa, [ID.alice]: ok("enforced" as const) } };
      expect(subjects(run(mfaAdmins, snapshot))).toEqual([ID.bob, ID.carol, ID.dave]);
    });

    it("is not met by per-user MFA `enabled` (not enforced)", () => {
      const snapshot = { ...unenforced(), perUserMfa: { ...unenforced().perUserMfa, [ID.alice]: ok("enabled" as const) } };
      expect(subjects(run(mfaAdmins, snapshot))).toEqual(ADMINS);
    });

    it("is met by a policy including the admin's active role", () => {
      const rows = run(mfaAdmins, mfaPolicy({ users: { includeUsers: [], includeRoles: [ROLE.globalAdministrator] } }));
      expect(subjects(rows)).toEqual([ID.carol, ID.dave]);
    });

    it("is not met by includeRoles for a role that is only PIM-eligible (not in effect until activated)", () => {
      const rows = run(mfaAdmins, mfaPolicy({ users: { includeUsers: [], includeRoles: [ROLE.securityAdministrator] } }));
      expect(subjects(rows)).toEqual(ADMINS);
    });

    it("is met by a policy including the admin by user id", () => {
      expect(subjects(run(mfaAdmins, mfaPolicy({ users: { includeUsers: [ID.bob] } })))).toEqual([ID.alice, ID.carol, ID.dave]);
    });

    it("is met by a policy including a group the admin belongs to", () => {
      const rows = run(mfaAdmins, mfaPolicy({ users: { includeUsers: [], includeGroups: [ID.helpdeskGroup] } }));
      expect(subjects(rows)).toEqual([ID.alice, ID.bob, ID.dave]);
    });

    it("is not met when the policy excludes the admin's user id", () => {
      const rows = run(mfaAdmins, mfaPolicy({ users: { excludeUsers: [ID.breakGlass, ID.alice] } }));
      expect(rows).toMatchObject([{ subjectId: ID.alice, status: "fail", detail: { reason: "not-enforced" } }]);
    });

    it("is not met when the policy excludes a group the admin belongs to", () => {
      const rows = run(mfaAdmins, mfaPolicy({ users: { excludeGroups: [ID.breakGlassGroup, ID.helpdeskGroup] } }));
      expect(rows).toMatchObject([
        { subjectId: ID.carol, status: "fail", detail: { reason: "not-enforced", roles: ["Helpdesk Administrator"] } },
      ]);
    });

    it("is not met when the policy excludes one of the admin's roles, eligible ones included", () => {
      const rows = run(mfaAdmins, mfaPolicy({ users: { excludeRoles: [ROLE.securityAdministrator] } }));
      expect(rows).toMatchObject([{ subjectId: ID.dave, status: "fail" }]);
    });

    it.each([
      ["report-only", { state: "enabledForReportingButNotEnforced" as const }],
      ["disabled", { state: "disabled" as const }],
      ["OR with compliantDevice", { grant: { builtInControls: ["mfa", "compliantDevice"] } }],
      ["a risk policy (passwordChange)", { grant: { operator: "AND", builtInControls: ["mfa", "passwordChange"] } }],
      ["scoped to one application", { includeApplications: ["00000002-0000-0ff1-ce00-000000000000"] }],
      ["scoped to legacy clients", { clientAppTypes: ["exchangeActiveSync", "other"] }],
      ["without grant controls", { grant: null }],
    ])("is not met by a policy that is %s", (_, patch) => {
      expect(subjects(run(mfaAdmins, mfaPolicy(patch)))).toEqual(ADMINS);
    });

    it.each([
      ["AND with compliantDevice", { grant: { operator: "AND", builtInControls: ["mfa", "compliantDevice"] } }],
      ["an authentication strength", { grant: { builtInControls: [], authenticationStrength: STRENGTH.mfa } }],
      ["browser plus modern clients", { clientAppTypes: ["browser", "mobileAppsAndDesktopClients"] }],
    ])("is met by a policy with %s", (_, patch) => {
      expect(run(mfaAdmins, mfaPolicy(patch))).toEqual([]);
    });
  });

  describe("when something cannot be read", () => {
    it.each(["license", "permission", "error"] as const)(
      "reports each admin unknown when CA is unreadable (%s) and nothing else enforces",
      (reason) => {
        const rows = run(mfaAdmins, { ...goodSnapshot(), conditionalAccessPolicies: failed(reason, "refused") });
        expect(subjects(rows)).toEqual(ADMINS);
        expect(statuses(rows)).toEqual(Object.fromEntries(ADMINS.map((id) => [id, "unknown"])));
        expect(rows[0]?.detail).toMatchObject({ reason, source: "conditionalAccessPolicies", message: "refused" });
      },
    );

    it("still passes an admin whose per-user MFA is enforced when CA is unreadable", () => {
      const snapshot = {
        ...goodSnapshot(),
        conditionalAccessPolicies: failed("permission"),
        perUserMfa: { ...goodSnapshot().perUserMfa, [ID.alice]: ok("enforced" as const) },
      };
      expect(subjects(run(mfaAdmins, snapshot))).toEqual([ID.bob, ID.carol, ID.dave]);
    });

    it("still fails a not-registered admin when CA is unreadable", () => {
      const snapshot = patchRegistration({ ...goodSnapshot(), conditionalAccessPolicies: failed("permission") }, ID.alice, {
        isMfaRegistered: false,
      });
      expect(statuses(run(mfaAdmins, snapshot))[ID.alice]).toBe("fail");
    });

    it("reports unknown when security defaults are unreadable and nothing else enforces", () => {
      const rows = run(mfaAdmins, { ...unenforced(), securityDefaults: failed("error", "timeout") });
      expect(rows.map((r) => r.status)).toEqual(["unknown", "unknown", "unknown", "unknown"]);
      expect(rows[0]?.detail).toMatchObject({ reason: "error", source: "securityDefaults" });
    });

    it("reports unknown when an admin's per-user MFA state was not read", () => {
      const { [ID.alice]: _, ...perUserMfa } = unenforced().perUserMfa;
      const rows = run(mfaAdmins, { ...unenforced(), perUserMfa });
      expect(rows.find((r) => r.subjectId === ID.alice)).toMatchObject({
        status: "unknown",
        detail: { reason: "error", source: `perUserMfa/${ID.alice}`, message: "not collected" },
      });
    });

    it("reports unknown when a group the policy excludes is unreadable (the admin might be in it)", () => {
      const rows = run(mfaAdmins, mfaPolicy({ users: { excludeGroups: [ID.breakGlassGroup, "group-unread"] } }));
      expect(subjects(rows)).toEqual(ADMINS);
      expect(rows.find((r) => r.subjectId === ID.alice)?.detail).toEqual({
        userPrincipalName: "alice@contoso.com",
        displayName: "Alice",
        roles: ["Global Administrator"],
        reason: "error",
        source: "groupMembers/group-unread",
        message: "not collected",
      });
    });

    it("reports unknown when a group the policy includes is unreadable", () => {
      const rows = run(mfaAdmins, mfaPolicy({ users: { includeUsers: [], includeGroups: ["group-unread"] } }));
      expect(statuses(rows)).toEqual(Object.fromEntries(ADMINS.map((id) => [id, "unknown"])));
    });

    it("reports unknown, keeping the would-be failure, for an admin an unreadable excluded group might exclude", () => {
      const config = { ...goodConfig(), exclusions: { ...goodConfig().exclusions, groupIds: [ID.breakGlassGroup, "group-unread"] } };
      const rows = run(mfaAdmins, unenforced(), config);
      expect(rows.find((r) => r.subjectId === ID.alice)?.detail).toEqual({
        userPrincipalName: "alice@contoso.com",
        displayName: "Alice",
        roles: ["Global Administrator"],
        perUserMfaState: "disabled",
        exclusionUnproven: true,
        failReason: "not-enforced",
        reason: "error",
        source: "groupMembers/group-unread",
        message: "not collected",
      });
    });

    it.each([
      ["users", { users: failed("error") }],
      ["registrationDetails", { registrationDetails: failed("license") }],
      ["roleAssignments", { roleAssignments: failed("permission") }],
      ["roleEligibility", { roleEligibility: failed("permission") }],
      [`groupMembers/${ID.helpdeskGroup}`, { groupMembers: { ...goodSnapshot().groupMembers, [ID.helpdeskGroup]: failed("permission") } }],
    ])("yields one tenant-level unknown when %s is unreadable", (source, patch) => {
      const rows = run(mfaAdmins, { ...goodSnapshot(), ...patch });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ subjectId: null, status: "unknown", severity: "high", detail: { source } });
      expect(["license", "permission", "error"]).toContain(rows[0]?.detail.reason);
    });

    it("evaluates active admins only when eligibility needs P2 (licence)", () => {
      const snapshot = { ...unenforced(), roleEligibility: failed("license", "AadPremiumLicenseRequired") };
      expect(subjects(run(mfaAdmins, snapshot))).toEqual([ID.alice, ID.bob, ID.carol]);
    });
  });

  describe("exclusions", () => {
    it("gives the excluded break-glass GA no row; without the exclusion it fails (the MFA policy excludes it)", () => {
      const config = { ...goodConfig(), exclusions: { ...goodConfig().exclusions, userIds: [] } };
      expect(run(mfaAdmins, goodSnapshot(), config)).toMatchObject([
        { subjectId: ID.breakGlass, status: "fail", detail: { reason: "not-enforced" } },
      ]);
    });
  });
});
