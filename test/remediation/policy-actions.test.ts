/** enforce-mfa, disable-user-consent and set-password-never-expire against the simulator, with undo. */
import { describe, expect, it } from "vitest";
import { remediate, undo } from "../../shared/remediation/remediate.js";
import type { RemediationResult } from "../../shared/model/remediation.js";
import { auditRow, CUSTOM_SELF, LEGACY, NOW, OWNED_RESOURCE, request, TENANT_A, U, useWorld } from "./world.js";

const world = useWorld();
const undoOf = (result: RemediationResult) =>
  undo(world.deps(), { tenantId: TENANT_A, auditId: result.auditId, channel: "approval", requestedBy: "approver@contoso.com" });
const mfaState = (userId: string) => world.state(`beta/users/${userId}/authentication/requirements`).perUserMfaState;
const consentList = () =>
  (world.state("v1.0/policies/authorizationPolicy").defaultUserRolePermissions as { permissionGrantPoliciesAssigned: string[] })
    .permissionGrantPoliciesAssigned;
const validity = (domain: string) => world.state(`v1.0/domains/${domain}`).passwordValidityPeriodInDays;

describe("enforce-mfa", () => {
  const enforce = (subjectId: string) => request({ action: "enforce-mfa", control: "mfa.admins", subjectId });

  it("sets per-user MFA to enforced, keeping the previous state for undo", async () => {
    const result = await remediate(world.deps(), enforce(U.adminUnregistered), NOW);
    expect(result).toMatchObject({
      outcome: "done",
      before: { perUserMfaState: "disabled" },
      after: { perUserMfaState: "enforced" },
    });
    expect(mfaState(U.adminUnregistered)).toBe("enforced");
    const [write] = world.writes();
    expect(write).toMatchObject({ method: "PATCH", path: `beta/users/${U.adminUnregistered}/authentication/requirements`, status: 204 });
    expect(result.graphRequestId).toBe(write?.requestId);
    expect(await auditRow(world, result.auditId)).toMatchObject({ before: { perUserMfaState: "disabled" }, outcome: "done" });
  });

  it("is stale when per-user MFA is already enforced", async () => {
    const result = await remediate(world.deps(), enforce(U.adminEnforced), NOW);
    expect(result).toMatchObject({ outcome: "stale", before: { perUserMfaState: "enforced" }, after: null });
    expect(world.writes()).toEqual([]);
  });

  it("undo restores the previous state", async () => {
    const result = await remediate(world.deps(), enforce(U.adminUnregistered), NOW);
    const undone = await undoOf(result);
    expect(undone).toMatchObject({ outcome: "done", before: { perUserMfaState: "enforced" }, after: { perUserMfaState: "disabled" } });
    expect(mfaState(U.adminUnregistered)).toBe("disabled");
  });

  it("undo reports what a re-read showed: `enabled` on a registered user reads back `enforced`", async () => {
    const result = await remediate(world.deps(), enforce(U.adminRegistered), NOW);
    expect(result.before).toEqual({ perUserMfaState: "enabled" });
    const undone = await undoOf(result);
    expect(undone).toMatchObject({ outcome: "done", after: { perUserMfaState: "enabled", readBack: "enforced" } });
    expect(undone.message).toContain("a re-read right after still showed enforced");
    expect(undone.message).toContain("Graph keeps a user who has registered an MFA method enforced");
  });

  it("undo does not take one immediate re-read for what Graph kept: directory writes show after a moment", async () => {
    const result = await remediate(world.deps(), enforce(U.adminUnregistered), NOW);
    world.sim.tenant(TENANT_A).setStaleReadsAfterWrite(1); // the undo's write: the next read still answers `enforced`
    const undone = await undoOf(result);
    expect(undone).toMatchObject({
      outcome: "done",
      before: { perUserMfaState: "enforced" },
      after: { perUserMfaState: "disabled", readBack: "enforced" },
    });
    expect(undone.message).not.toMatch(/kept/i);
    expect(undone.message).toContain("a re-read right after still showed enforced");
    expect(undone.message).toContain("can take a moment");
    expect(mfaState(U.adminUnregistered)).toBe("disabled");
    const readAgain = (await world
      .deps()
      .graph.client.api(`/users/${U.adminUnregistered}/authentication/requirements`)
      .version("beta")
      .get()) as { perUserMfaState: string };
    expect(readAgain.perUserMfaState).toBe("disabled"); // the next read shows the write
  });

  it("undo refuses to overwrite a state changed since the action", async () => {
    const result = await remediate(world.deps(), enforce(U.adminUnregistered), NOW);
    await world
      .deps()
      .graph.client.api(`/users/${U.adminUnregistered}/authentication/requirements`)
      .version("beta")
      .patch({ perUserMfaState: "enabled" });
    const undone = await undoOf(result);
    expect(undone).toMatchObject({ outcome: "refused", before: { perUserMfaState: "enabled" }, after: null });
    expect(mfaState(U.adminUnregistered)).toBe("enabled");
  });
});

describe("disable-user-consent", () => {
  const disableConsent = request({ action: "disable-user-consent", control: "apps.user-consent", subjectId: null });

  it("drops the built-in self-consent entries, keeping owned-resource and custom ones", async () => {
    const result = await remediate(world.deps(), disableConsent, NOW);
    expect(result).toMatchObject({
      outcome: "done",
      before: { permissionGrantPoliciesAssigned: [LEGACY, OWNED_RESOURCE, CUSTOM_SELF] },
      after: { permissionGrantPoliciesAssigned: [OWNED_RESOURCE, CUSTOM_SELF] },
    });
    expect(consentList()).toEqual([OWNED_RESOURCE, CUSTOM_SELF]);
    expect(result.graphRequestId).toBe(world.writes()[0]?.requestId);
    expect((await auditRow(world, result.auditId)).subjectId).toBeNull();
  });

  it("compares case-insensitively, like the control (Graph's docs spell it managePermissionGrantsForSelf)", async () => {
    const lower = "managePermissionGrantsForSelf.microsoft-user-default-low";
    await world
      .deps()
      .graph.client.api("/policies/authorizationPolicy")
      .patch({
        defaultUserRolePermissions: { permissionGrantPoliciesAssigned: [lower, OWNED_RESOURCE] },
      });
    const result = await remediate(world.deps(), disableConsent, NOW);
    expect(result.outcome).toBe("done");
    expect(consentList()).toEqual([OWNED_RESOURCE]);
  });

  it("is stale when no built-in self-consent entry is left (only owned-resource and custom)", async () => {
    await remediate(world.deps(), disableConsent, NOW);
    const again = await remediate(world.deps(), disableConsent, NOW);
    expect(again).toMatchObject({ outcome: "stale", before: { permissionGrantPoliciesAssigned: [OWNED_RESOURCE, CUSTOM_SELF] } });
    expect(world.writes()).toHaveLength(1);
  });

  it("undo restores the previous list, and refuses once someone changed it since", async () => {
    const result = await remediate(world.deps(), disableConsent, NOW);
    expect((await undoOf(result)).outcome).toBe("done");
    expect(consentList()).toEqual([LEGACY, OWNED_RESOURCE, CUSTOM_SELF]);

    const second = await remediate(world.deps(), disableConsent, NOW);
    await world
      .deps()
      .graph.client.api("/policies/authorizationPolicy")
      .patch({
        defaultUserRolePermissions: { permissionGrantPoliciesAssigned: [] },
      });
    const refusedUndo = await undoOf(second);
    expect(refusedUndo).toMatchObject({ outcome: "refused", before: { permissionGrantPoliciesAssigned: [] } });
    expect(consentList()).toEqual([]);
  });
});

describe("set-password-never-expire", () => {
  const neverExpire = (domain: string) =>
    request({ action: "set-password-never-expire", control: "password.never-expire", subjectId: domain });

  it("sets the validity period to 2147483647, keeping the previous value for undo", async () => {
    const result = await remediate(world.deps(), neverExpire("contoso.com"), NOW);
    expect(result).toMatchObject({
      outcome: "done",
      before: { passwordValidityPeriodInDays: 90 },
      after: { passwordValidityPeriodInDays: 2147483647 },
    });
    expect(validity("contoso.com")).toBe(2147483647);
    expect(result.graphRequestId).toBe(world.writes()[0]?.requestId);
  });

  it("is stale when the domain is already fine, federated, or gone", async () => {
    const fine = await remediate(world.deps(), neverExpire("contoso.onmicrosoft.com"), NOW);
    expect(fine).toMatchObject({ outcome: "stale", before: { passwordValidityPeriodInDays: 2147483647 } });
    expect(fine.message).toContain("already never expire");
    const federated = await remediate(world.deps(), neverExpire("contoso-partners.com"), NOW);
    expect(federated.outcome).toBe("stale");
    expect(federated.message).toContain("no longer a verified, managed root domain");
    expect((await remediate(world.deps(), neverExpire("gone.example"), NOW)).outcome).toBe("stale");
    expect(world.writes()).toEqual([]);
  });

  it("undo restores the previous validity period", async () => {
    const result = await remediate(world.deps(), neverExpire("contoso.com"), NOW);
    const undone = await undoOf(result);
    expect(undone).toMatchObject({
      outcome: "done",
      before: { passwordValidityPeriodInDays: 2147483647 },
      after: { passwordValidityPeriodInDays: 90 },
    });
    expect(validity("contoso.com")).toBe(90);
    expect((await undoOf(result)).outcome).toBe("stale");
  });
});
