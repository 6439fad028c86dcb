import { describe, expect, it } from "vitest";
import { rolesGlobalAdminCount } from "../../shared/controls/roles-global-admin-count.js";
import { ID, ROLE, failed, goodSnapshot, grant, ok, only, patchUser, run, withGrant, withGroupMembers } from "./fixture.js";

const verdict = (snapshot = goodSnapshot()) => only(run(rolesGlobalAdminCount, snapshot));
const GA = ROLE.globalAdministrator;
const ACTIVE = [ID.alice, ID.bob, ID.breakGlass].sort();

describe("roles.global-admin-count", () => {
  it("has the catalog's id and severity", () => {
    expect([rolesGlobalAdminCount.id, rolesGlobalAdminCount.severity]).toEqual(["roles.global-admin-count", "medium"]);
  });

  it("passes the known-good tenant with 3 (the excluded break-glass counts; the service principal does not)", () => {
    expect(verdict()).toEqual({
      control: "roles.global-admin-count",
      subjectId: null,
      status: "pass",
      severity: "medium",
      detail: { count: 3, admins: ACTIVE, eligibleCounted: true },
    });
  });

  it("counts PIM-eligible holders (4 passes)", () => {
    expect(verdict(withGrant(goodSnapshot(), "roleEligibility", grant(ID.dave, GA)))).toMatchObject({
      status: "pass",
      detail: { count: 4 },
    });
  });

  it("fails with 5, listing them", () => {
    const five = [ID.alice, ID.bob, ID.breakGlass, ID.carol, ID.dave];
    const snapshot = { ...goodSnapshot(), roleAssignments: ok(five.map((id) => grant(id, GA))) };
    expect(verdict(snapshot)).toMatchObject({ status: "fail", detail: { count: 5, admins: [...five].sort() } });
  });

  it("counts members of a role-assignable group holding the role", () => {
    const snapshot = withGrant(goodSnapshot(), "roleAssignments", grant(ID.helpdeskGroup, GA, "group"));
    expect(verdict(snapshot).detail).toMatchObject({ count: 4, admins: [...ACTIVE, ID.carol].sort() });
  });

  it("counts a user once when both active and eligible", () => {
    const snapshot = withGrant(goodSnapshot(), "roleEligibility", grant(ID.alice, GA));
    expect(verdict(snapshot).detail).toMatchObject({ count: 3 });
  });

  it("counts disabled holders", () => {
    expect(verdict(patchUser(goodSnapshot(), ID.bob, { accountEnabled: false })).detail).toMatchObject({ count: 3 });
  });

  it("fails with a single Global Administrator", () => {
    const snapshot = { ...goodSnapshot(), roleAssignments: ok([grant(ID.alice, GA), grant(ID.automation, GA, "servicePrincipal")]) };
    expect(verdict(snapshot)).toMatchObject({ status: "fail", detail: { count: 1, admins: [ID.alice] } });
  });

  it("evaluates active holders only when eligibility needs P2, saying so", () => {
    expect(verdict({ ...goodSnapshot(), roleEligibility: failed("license", "AadPremiumLicenseRequired") })).toMatchObject({
      status: "pass",
      detail: { count: 3, eligibleCounted: false },
    });
  });

  it.each([
    ["roleAssignments", { roleAssignments: failed("permission", "denied") }],
    ["roleEligibility", { roleEligibility: failed("error", "denied") }],
  ])("reports unknown when %s is unreadable", (source, patch) => {
    expect(verdict({ ...goodSnapshot(), ...patch })).toMatchObject({ status: "unknown", detail: { source, message: "denied" } });
  });

  it("reports unknown when a group holding the role has unreadable members", () => {
    const snapshot = withGroupMembers(
      withGrant(goodSnapshot(), "roleAssignments", grant(ID.helpdeskGroup, GA, "group")),
      ID.helpdeskGroup,
      failed("permission"),
    );
    expect(verdict(snapshot)).toMatchObject({
      status: "unknown",
      detail: { reason: "permission", source: `groupMembers/${ID.helpdeskGroup}` },
    });
  });

  it("ignores unreadable groups that do not hold the role", () => {
    expect(verdict(withGroupMembers(goodSnapshot(), ID.helpdeskGroup, failed("permission"))).status).toBe("pass");
  });
});
