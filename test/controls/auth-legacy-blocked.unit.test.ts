import { describe, expect, it } from "vitest";
import { authLegacyBlocked } from "../../shared/controls/auth-legacy-blocked.js";
import { ID, dataOf, failed, goodConfig, goodSnapshot, ok, only, patchPolicy, run, withoutPolicy } from "./fixture.js";

const verdict = (snapshot = goodSnapshot(), config = goodConfig()) => only(run(authLegacyBlocked, snapshot, config));
const legacyPolicy = (patch: Parameters<typeof patchPolicy>[2]) => patchPolicy(goodSnapshot(), ID.legacyPolicy, patch);
const POLICY_REF = { id: ID.legacyPolicy, displayName: "Block legacy authentication" };
const BOTH = ["exchangeActiveSync", "other"];

describe("auth.legacy-blocked", () => {
  it("has the catalog's id and severity", () => {
    expect([authLegacyBlocked.id, authLegacyBlocked.severity]).toEqual(["auth.legacy-blocked", "high"]);
  });

  it("passes the known-good tenant on one policy blocking both legacy client types", () => {
    expect(verdict()).toEqual({
      control: "auth.legacy-blocked",
      subjectId: null,
      status: "pass",
      severity: "high",
      detail: { decidedOn: "conditional-access", missing: [], policies: [POLICY_REF] },
    });
  });

  it("passes on security defaults", () => {
    const snapshot = { ...withoutPolicy(goodSnapshot(), ID.legacyPolicy), securityDefaults: ok({ isEnabled: true }) };
    expect(verdict(snapshot)).toMatchObject({ status: "pass", detail: { decidedOn: "security-defaults" } });
  });

  it("fails with both types missing when no policy blocks legacy auth", () => {
    expect(verdict(withoutPolicy(goodSnapshot(), ID.legacyPolicy))).toMatchObject({
      status: "fail",
      detail: { decidedOn: "conditional-access", securityDefaultsEnabled: false, missing: BOTH, policies: [] },
    });
  });

  it("fails with the uncovered type in detail.missing", () => {
    expect(verdict(legacyPolicy({ clientAppTypes: ["exchangeActiveSync"] }))).toMatchObject({
      status: "fail",
      detail: { missing: ["other"], policies: [POLICY_REF] },
    });
  });

  it("passes on two policies that together cover both types", () => {
    const split = legacyPolicy({ clientAppTypes: ["exchangeActiveSync"] });
    const [first] = dataOf(split.conditionalAccessPolicies).filter((p) => p.id === ID.legacyPolicy);
    if (first === undefined) throw new Error("fixture policy missing");
    const second = { ...first, id: "ca-block-other", conditions: { ...first.conditions, clientAppTypes: ["other"] } };
    const snapshot = { ...split, conditionalAccessPolicies: ok([...dataOf(split.conditionalAccessPolicies), second]) };
    expect(verdict(snapshot)).toMatchObject({ status: "pass", detail: { missing: [] } });
  });

  it("counts a block policy for all client app types", () => {
    expect(verdict(legacyPolicy({ clientAppTypes: ["all"] })).status).toBe("pass");
  });

  it.each([
    ["report-only", { state: "enabledForReportingButNotEnforced" as const }],
    ["disabled", { state: "disabled" as const }],
    ["not blocking (grant instead of block)", { grant: { builtInControls: ["mfa"] } }],
    ["not for all users", { users: { includeUsers: [], includeGroups: [ID.helpdeskGroup] } }],
    ["not for all applications", { includeApplications: ["00000002-0000-0ff1-ce00-000000000000"] }],
    ["excluding a role", { users: { excludeRoles: ["62e90394-69f5-4237-9190-012177145e10"] } }],
    ["excluding an unconfigured user", { users: { excludeUsers: [ID.breakGlass, ID.erin] } }],
    ["excluding an unconfigured group", { users: { excludeGroups: [ID.breakGlassGroup, ID.helpdeskGroup] } }],
  ])("does not count a policy that is %s", (_, patch) => {
    expect(verdict(legacyPolicy(patch))).toMatchObject({ status: "fail", detail: { missing: BOTH, policies: [] } });
  });

  it("decides on security defaults alone when CA needs a licence: fail, both types missing", () => {
    expect(verdict({ ...goodSnapshot(), conditionalAccessPolicies: failed("license", "Forbidden") })).toMatchObject({
      status: "fail",
      detail: {
        decidedOn: "security-defaults",
        securityDefaultsEnabled: false,
        missing: BOTH,
        conditionalAccess: "not readable (license): Forbidden",
      },
    });
  });

  it.each(["permission", "error"] as const)("reports unknown when CA is unreadable (%s) and security defaults are off", (reason) => {
    expect(verdict({ ...goodSnapshot(), conditionalAccessPolicies: failed(reason) })).toMatchObject({
      status: "unknown",
      detail: { reason, source: "conditionalAccessPolicies" },
    });
  });

  it("reports unknown when both security defaults and CA are unreadable, naming both", () => {
    const snapshot = { ...goodSnapshot(), securityDefaults: failed("error", "timeout"), conditionalAccessPolicies: failed("license") };
    expect(verdict(snapshot)).toMatchObject({
      status: "unknown",
      detail: {
        reason: "error",
        source: "securityDefaults",
        message: "timeout",
        sources: ["securityDefaults", "conditionalAccessPolicies"],
      },
    });
  });
});
