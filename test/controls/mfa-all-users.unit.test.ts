import { describe, expect, it } from "vitest";
import { mfaAllUsers } from "../../shared/controls/mfa-all-users.js";
import { ID, STRENGTH, failed, goodConfig, goodSnapshot, ok, only, patchPolicy, run, withoutPolicy } from "./fixture.js";

const verdict = (snapshot = goodSnapshot(), config = goodConfig()) => only(run(mfaAllUsers, snapshot, config));
const mfaPolicy = (patch: Parameters<typeof patchPolicy>[2]) => patchPolicy(goodSnapshot(), ID.mfaPolicy, patch);
const POLICY_REF = { id: ID.mfaPolicy, displayName: "Require MFA for all users" };
/** Second baseline: no MFA policy at all. */
const noMfaPolicy = () => withoutPolicy(goodSnapshot(), ID.mfaPolicy);

describe("mfa.all-users", () => {
  it("has the catalog's id and severity", () => {
    expect([mfaAllUsers.id, mfaAllUsers.severity]).toEqual(["mfa.all-users", "high"]);
  });

  it("passes the known-good tenant on its CA policy", () => {
    expect(verdict()).toEqual({
      control: "mfa.all-users",
      subjectId: null,
      status: "pass",
      severity: "high",
      detail: { decidedOn: "conditional-access", policies: [POLICY_REF] },
    });
  });

  it("passes on security defaults", () => {
    expect(verdict({ ...noMfaPolicy(), securityDefaults: ok({ isEnabled: true }) })).toMatchObject({
      status: "pass",
      detail: { decidedOn: "security-defaults", securityDefaultsEnabled: true },
    });
  });

  it("fails without security defaults or a qualifying policy", () => {
    expect(verdict(noMfaPolicy())).toMatchObject({
      status: "fail",
      detail: { decidedOn: "conditional-access", securityDefaultsEnabled: false, policies: [] },
    });
  });

  it.each([
    ["report-only", { state: "enabledForReportingButNotEnforced" as const }],
    ["disabled", { state: "disabled" as const }],
    ["not for all users", { users: { includeUsers: [ID.alice] } }],
    ["not for all applications", { includeApplications: ["00000003-0000-0000-c000-000000000000"] }],
    ["excluding a role", { users: { excludeRoles: ["62e90394-69f5-4237-9190-012177145e10"] } }],
    ["excluding a user who is not a configured exclusion", { users: { excludeUsers: [ID.breakGlass, ID.erin] } }],
    ["excluding a group that is not a configured exclusion", { users: { excludeGroups: [ID.breakGlassGroup, ID.helpdeskGroup] } }],
    ["OR with compliantDevice (a compliant device alone passes)", { grant: { builtInControls: ["mfa", "compliantDevice"] } }],
    [
      "OR of an authentication strength with compliantDevice",
      { grant: { builtInControls: ["compliantDevice"], authenticationStrength: STRENGTH.mfa } },
    ],
    ["a risk policy (passwordChange)", { grant: { operator: "AND", builtInControls: ["mfa", "passwordChange"] } }],
    ["not requiring MFA", { grant: { builtInControls: ["compliantDevice"] } }],
    ["limited to legacy client types", { clientAppTypes: ["exchangeActiveSync", "other"] }],
    ["limited to browsers", { clientAppTypes: ["browser"] }],
  ])("does not count a policy that is %s", (_, patch) => {
    expect(verdict(mfaPolicy(patch))).toMatchObject({ status: "fail", detail: { policies: [] } });
  });

  it.each([
    ["AND with compliantDevice", { grant: { operator: "AND", builtInControls: ["mfa", "compliantDevice"] } }],
    ["an authentication strength alone", { grant: { builtInControls: [], authenticationStrength: STRENGTH.mfa } }],
    ["excluding nothing", { users: { excludeUsers: [], excludeGroups: [] } }],
    ["excluding a member of a configured group by user id", { users: { excludeUsers: [ID.breakGlass, ID.sam] } }],
    ["excluding a configured user written in upper case", { users: { excludeUsers: [ID.breakGlass.toUpperCase()] } }],
  ])("counts a policy with %s", (_, patch) => {
    expect(verdict(mfaPolicy(patch))).toMatchObject({ status: "pass", detail: { policies: [POLICY_REF] } });
  });

  it("does not count a user exclusion only an unreadable excluded group could vouch for", () => {
    const snapshot = patchPolicy(
      { ...goodSnapshot(), groupMembers: { ...goodSnapshot().groupMembers, [ID.breakGlassGroup]: failed("permission") } },
      ID.mfaPolicy,
      { users: { excludeUsers: [ID.breakGlass, ID.sam] } },
    );
    expect(verdict(snapshot).status).toBe("fail");
  });

  it("decides on security defaults alone when CA needs a licence (Free tenant): fail", () => {
    const snapshot = { ...goodSnapshot(), conditionalAccessPolicies: failed("license", "Forbidden") };
    expect(verdict(snapshot)).toEqual({
      control: "mfa.all-users",
      subjectId: null,
      status: "fail",
      severity: "high",
      detail: {
        decidedOn: "security-defaults",
        securityDefaultsEnabled: false,
        conditionalAccess: "not readable (license): Forbidden",
        policies: [],
      },
    });
  });

  it.each(["permission", "error"] as const)("reports unknown when CA is unreadable (%s) and security defaults are off", (reason) => {
    const snapshot = { ...goodSnapshot(), conditionalAccessPolicies: failed(reason, "nope") };
    expect(verdict(snapshot)).toMatchObject({
      status: "unknown",
      detail: { reason, source: "conditionalAccessPolicies", message: "nope", securityDefaultsEnabled: false },
    });
  });

  it("passes on security defaults even when CA is unreadable", () => {
    const snapshot = { ...goodSnapshot(), securityDefaults: ok({ isEnabled: true }), conditionalAccessPolicies: failed("permission") };
    expect(verdict(snapshot)).toMatchObject({ status: "pass", detail: { decidedOn: "security-defaults" } });
  });

  it("passes on CA even when security defaults are unreadable", () => {
    expect(verdict({ ...goodSnapshot(), securityDefaults: failed("error") })).toMatchObject({ status: "pass" });
  });

  it("reports unknown when security defaults are unreadable and no policy qualifies", () => {
    expect(verdict({ ...noMfaPolicy(), securityDefaults: failed("permission", "denied") })).toMatchObject({
      status: "unknown",
      detail: { reason: "permission", source: "securityDefaults", message: "denied" },
    });
  });
});
