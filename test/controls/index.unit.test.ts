import { describe, expect, it } from "vitest";
import { CONTROLS, evaluateTenant } from "../../shared/controls/index.js";
import { CONTROL_IDS } from "../../shared/model/findings.js";
import { AS_OF, ID, dataOf, failed, goodConfig, goodSnapshot, ok, withGroupMembers, withoutPolicy } from "./fixture.js";

const TENANT_LEVEL = ["mfa.all-users", "auth.legacy-blocked", "password.sspr-enabled", "apps.user-consent", "roles.global-admin-count"];

describe("CONTROLS", () => {
  it("holds all nine controls in docs/controls.md order", () => {
    expect(CONTROLS.map((c) => c.id)).toEqual([...CONTROL_IDS]);
  });

  it("has the agreed severities, and a title and rationale for each", () => {
    expect(Object.fromEntries(CONTROLS.map((c) => [c.id, c.severity]))).toEqual({
      "accounts.inactive-30": "low",
      "accounts.inactive-90": "medium",
      "mfa.admins": "high",
      "mfa.all-users": "high",
      "auth.legacy-blocked": "high",
      "password.sspr-enabled": "low",
      "password.never-expire": "low",
      "apps.user-consent": "medium",
      "roles.global-admin-count": "medium",
    });
    for (const control of CONTROLS) expect(control.title.length * control.rationale.length).toBeGreaterThan(0);
  });
});

describe("evaluateTenant", () => {
  it("yields exactly one pass per tenant-level control, no per-subject rows and no notes for the known-good tenant", () => {
    const { rows, notes } = evaluateTenant(goodSnapshot(), goodConfig(), AS_OF);
    expect(rows.map((r) => [r.control, r.subjectId, r.status])).toEqual(TENANT_LEVEL.map((id) => [id, null, "pass"]));
    expect(notes).toEqual([]);
  });

  it("orders rows by control order, then subjectId with tenant-level rows first", () => {
    const snapshot = { ...withoutPolicy(goodSnapshot(), ID.mfaPolicy), users: ok([...dataOf(goodSnapshot().users)].reverse()) };
    const { rows } = evaluateTenant(snapshot, goodConfig(), AS_OF);
    const admins = rows.filter((r) => r.control === "mfa.admins").map((r) => r.subjectId);
    expect(admins).toEqual([ID.alice, ID.bob, ID.carol, ID.dave].sort());
    const order = rows.map((r) => CONTROL_IDS.indexOf(r.control));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it("is pure: same input, same output; the snapshot is not modified", () => {
    const snapshot = goodSnapshot();
    const before = structuredClone(snapshot);
    const first = evaluateTenant(snapshot, goodConfig(), AS_OF);
    expect(evaluateTenant(snapshot, goodConfig(), AS_OF)).toEqual(first);
    expect(snapshot).toEqual(before);
  });

  it("notes that PIM eligible admins are not visible without P2", () => {
    const { notes } = evaluateTenant(
      { ...goodSnapshot(), roleEligibility: failed("license", "AadPremiumLicenseRequired") },
      goodConfig(),
      AS_OF,
    );
    expect(notes).toEqual(["PIM eligible assignments not visible (no Entra ID P2): eligible admins are not counted"]);
  });

  it("does not note eligibility failures other than licence (the rows say unknown)", () => {
    const { notes, rows } = evaluateTenant({ ...goodSnapshot(), roleEligibility: failed("permission") }, goodConfig(), AS_OF);
    expect(notes).toEqual([]);
    expect(rows.filter((r) => r.status === "unknown").map((r) => r.control)).toEqual(["mfa.admins", "roles.global-admin-count"]);
  });

  it("notes that CA was not readable for lack of P1", () => {
    const { notes } = evaluateTenant({ ...goodSnapshot(), conditionalAccessPolicies: failed("license") }, goodConfig(), AS_OF);
    expect(notes).toEqual([
      "Conditional Access not readable (no Entra ID P1): mfa.all-users and auth.legacy-blocked decided on security defaults alone",
    ]);
  });

  it("notes skipped federated, unverified or non-root domains, sorted", () => {
    const domains = ok([
      ...dataOf(goodSnapshot().domains),
      { id: "b.com", isVerified: true, isRoot: true, authenticationType: "Federated", passwordValidityPeriodInDays: 90 },
      { id: "a.com", isVerified: false, isRoot: false, authenticationType: "Managed", passwordValidityPeriodInDays: 90 },
      { id: "eu.contoso.com", isVerified: true, isRoot: false, authenticationType: "Managed", passwordValidityPeriodInDays: 90 },
    ]);
    expect(evaluateTenant({ ...goodSnapshot(), domains }, goodConfig(), AS_OF).notes).toEqual([
      "Skipped federated, unverified or non-root domains: a.com, b.com, eu.contoso.com",
    ]);
  });

  it("notes an excluded group whose members could not be read", () => {
    const snapshot = withGroupMembers(goodSnapshot(), ID.breakGlassGroup, failed("permission"));
    expect(evaluateTenant(snapshot, goodConfig(), AS_OF).notes).toEqual([
      `Exclusions incomplete: groupMembers/${ID.breakGlassGroup} not readable (permission): users who may be excluded are reported unknown, never fail`,
    ]);
  });
});
