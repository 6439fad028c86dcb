import { describe, expect, it } from "vitest";
import { accountsInactive30, accountsInactive90 } from "../../shared/controls/accounts-inactive.js";
import { AS_OF, ID, daysAgo, failed, goodConfig, goodSnapshot, patchUser, run } from "./fixture.js";

const lastSeen = (days: number) => ({
  signInActivity: {
    lastSignInDateTime: daysAgo(days),
    lastNonInteractiveSignInDateTime: daysAgo(days),
    lastSuccessfulSignInDateTime: daysAgo(days),
  },
});
const erinInactive = (days: number) => patchUser(goodSnapshot(), ID.erin, lastSeen(days));
const both = (snapshot = goodSnapshot(), config = goodConfig()) => ({
  d30: run(accountsInactive30, snapshot, config),
  d90: run(accountsInactive90, snapshot, config),
});

describe("accounts.inactive-30 / accounts.inactive-90", () => {
  it("has the catalog's ids and severities", () => {
    expect([accountsInactive30.id, accountsInactive30.severity]).toEqual(["accounts.inactive-30", "low"]);
    expect([accountsInactive90.id, accountsInactive90.severity]).toEqual(["accounts.inactive-90", "medium"]);
  });

  it("yields no rows for the known-good tenant (new, disabled and excluded accounts included)", () => {
    expect(both()).toEqual({ d30: [], d90: [] });
  });

  it("fails a member inactive 45 days in inactive-30 only, with the evidence", () => {
    const { d30, d90 } = both(erinInactive(45));
    expect(d90).toEqual([]);
    expect(d30).toEqual([
      {
        control: "accounts.inactive-30",
        subjectId: ID.erin,
        status: "fail",
        severity: "low",
        detail: {
          userPrincipalName: "erin@contoso.com",
          displayName: "Erin",
          userType: "Member",
          onPremisesSyncEnabled: true,
          lastActivity: daysAgo(45),
          neverSignedIn: false,
          createdDateTime: daysAgo(700),
          daysInactive: 45,
        },
      },
    ]);
  });

  it.each([
    [29, [], []],
    [30, [ID.erin], []],
    [89, [ID.erin], []],
    [90, [], [ID.erin]],
    [365, [], [ID.erin]],
  ])("puts %i days inactive in the right bucket", (days, in30, in90) => {
    const { d30, d90 } = both(erinInactive(days));
    expect(d30.map((r) => r.subjectId)).toEqual(in30);
    expect(d90.map((r) => r.subjectId)).toEqual(in90);
  });

  it("counts whole days only (29 days 23 hours is 29)", () => {
    const instant = new Date(AS_OF.getTime() - (30 * 24 - 1) * 3_600_000).toISOString();
    const snapshot = patchUser(goodSnapshot(), ID.erin, { signInActivity: { lastSignInDateTime: instant } });
    expect(both(snapshot)).toEqual({ d30: [], d90: [] });
  });

  it("takes the latest non-null of the three sign-in fields", () => {
    const snapshot = patchUser(goodSnapshot(), ID.erin, {
      signInActivity: {
        lastSuccessfulSignInDateTime: daysAgo(200),
        lastSignInDateTime: null,
        lastNonInteractiveSignInDateTime: daysAgo(40),
      },
    });
    const { d30, d90 } = both(snapshot);
    expect(d90).toEqual([]);
    expect(d30[0]?.detail).toMatchObject({ lastActivity: daysAgo(40), daysInactive: 40, neverSignedIn: false });
  });

  it("counts a recent failed interactive sign-in as activity (conservative)", () => {
    const snapshot = patchUser(goodSnapshot(), ID.erin, {
      signInActivity: {
        lastSuccessfulSignInDateTime: daysAgo(120),
        lastSignInDateTime: daysAgo(3),
        lastNonInteractiveSignInDateTime: null,
      },
    });
    expect(both(snapshot)).toEqual({ d30: [], d90: [] });
  });

  it("measures an account that never signed in from createdDateTime", () => {
    const snapshot = patchUser(goodSnapshot(), ID.nina, { createdDateTime: daysAgo(95) });
    const { d30, d90 } = both(snapshot);
    expect(d30).toEqual([]);
    expect(d90[0]?.detail).toMatchObject({ neverSignedIn: true, lastActivity: null, createdDateTime: daysAgo(95), daysInactive: 95 });
  });

  it("treats a missing signInActivity like all-null (never signed in)", () => {
    const snapshot = patchUser(goodSnapshot(), ID.erin, { signInActivity: undefined });
    expect(both(snapshot).d90[0]?.detail).toMatchObject({ neverSignedIn: true, lastActivity: null, daysInactive: 700 });
  });

  it("reports unknown (reason error) in both buckets when there is no reference instant", () => {
    const snapshot = patchUser(goodSnapshot(), ID.nina, { createdDateTime: null });
    const { d30, d90 } = both(snapshot);
    for (const rows of [d30, d90]) {
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ subjectId: ID.nina, status: "unknown" });
      expect(rows[0]?.detail).toMatchObject({ reason: "error", source: "users", neverSignedIn: true, createdDateTime: null });
    }
  });

  it("reports unknown rather than guessing on an unparseable timestamp", () => {
    const snapshot = patchUser(goodSnapshot(), ID.erin, {
      signInActivity: { lastSignInDateTime: "yesterday", lastSuccessfulSignInDateTime: daysAgo(100) },
    });
    expect(both(snapshot).d90[0]).toMatchObject({ subjectId: ID.erin, status: "unknown", detail: { reason: "error" } });
  });

  it("skips disabled accounts", () => {
    const snapshot = patchUser(goodSnapshot(), ID.frank, { accountEnabled: true });
    expect(both(snapshot).d90.map((r) => r.subjectId)).toEqual([ID.frank]);
  });

  it("counts guests, with their userType", () => {
    const snapshot = patchUser(goodSnapshot(), ID.gus, lastSeen(40));
    expect(both(snapshot).d30[0]).toMatchObject({ subjectId: ID.gus, status: "fail", detail: { userType: "Guest" } });
  });

  it("skips users excluded by id (the break-glass account is 200 days inactive)", () => {
    const config = { ...goodConfig(), exclusions: { ...goodConfig().exclusions, userIds: [] } };
    expect(both(goodSnapshot(), config).d90).toMatchObject([{ subjectId: ID.breakGlass, status: "fail", detail: { daysInactive: 200 } }]);
  });

  it("matches excluded user ids case-insensitively", () => {
    const config = { ...goodConfig(), exclusions: { ...goodConfig().exclusions, userIds: [ID.breakGlass.toUpperCase()] } };
    expect(both(goodSnapshot(), config).d90).toEqual([]);
  });

  it("skips members of excluded groups (Sam is 120 days inactive)", () => {
    const config = { ...goodConfig(), exclusions: { ...goodConfig().exclusions, groupIds: [] } };
    expect(both(goodSnapshot(), config).d90).toMatchObject([{ subjectId: ID.sam, status: "fail" }]);
  });

  it("reports unknown, not fail, for a user an unreadable excluded group might exclude", () => {
    const snapshot = {
      ...goodSnapshot(),
      groupMembers: { ...goodSnapshot().groupMembers, [ID.breakGlassGroup]: failed("permission", "Insufficient privileges") },
    };
    const { d30, d90 } = both(snapshot);
    expect(d30).toEqual([]);
    expect(d90).toEqual([
      {
        control: "accounts.inactive-90",
        subjectId: ID.sam,
        status: "unknown",
        severity: "medium",
        detail: {
          userPrincipalName: "sam@contoso.com",
          displayName: "Sam",
          userType: "Member",
          onPremisesSyncEnabled: null,
          lastActivity: daysAgo(120),
          neverSignedIn: false,
          createdDateTime: daysAgo(700),
          daysInactive: 120,
          exclusionUnproven: true,
          reason: "permission",
          source: `groupMembers/${ID.breakGlassGroup}`,
          message: "Insufficient privileges",
        },
      },
    ]);
  });

  it("treats an excluded group the collectors did not record as unreadable (reason error)", () => {
    const snapshot = { ...goodSnapshot(), groupMembers: {} };
    expect(both(snapshot).d90).toMatchObject([
      { subjectId: ID.sam, status: "unknown", detail: { reason: "error", message: "not collected" } },
    ]);
  });

  it("yields one tenant-level unknown per control when signInActivity needs a licence", () => {
    const snapshot = {
      ...goodSnapshot(),
      signInActivity: failed("license", "Tenant is not premium", "Authentication_RequestFromNonPremiumTenantOrB2CTenant"),
    };
    const { d30, d90 } = both(snapshot);
    for (const rows of [d30, d90]) {
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        subjectId: null,
        status: "unknown",
        detail: {
          reason: "license",
          source: "signInActivity",
          message: "Tenant is not premium",
          code: "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
        },
      });
    }
  });

  it("yields one tenant-level unknown when users cannot be listed", () => {
    const snapshot = { ...goodSnapshot(), users: failed("error", "503 Service Unavailable") };
    expect(run(accountsInactive90, snapshot)).toEqual([
      {
        control: "accounts.inactive-90",
        subjectId: null,
        status: "unknown",
        severity: "medium",
        detail: { reason: "error", source: "users", message: "503 Service Unavailable" },
      },
    ]);
  });
});
