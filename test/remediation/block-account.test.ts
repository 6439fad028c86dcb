/** block-account against the simulator: disable + revoke, the re-check, the guardrails, undo. */
import { describe, expect, it } from "vitest";
import { remediate, undo } from "../../shared/remediation/remediate.js";
import { auditRow, NOW, request, TENANT_A, TENANT_RECORD, U, useWorld } from "./world.js";

const world = useWorld();
const block = (subjectId: string, control: "accounts.inactive-30" | "accounts.inactive-90" | "mfa.admins" = "accounts.inactive-90") =>
  request({ action: "block-account", control, subjectId });

describe("block-account", () => {
  it("disables the account, then revokes its sessions, and audits before/after with the PATCH's request id", async () => {
    const result = await remediate(world.deps(), block(U.inactive), NOW);

    expect(result).toMatchObject({
      outcome: "done",
      before: { accountEnabled: true },
      after: { accountEnabled: false, sessionsRevoked: true },
    });
    expect(result.message).toContain("user1@contoso.com");
    const user = world.state(`v1.0/users/${U.inactive}`);
    expect(user.accountEnabled).toBe(false);
    expect(user.signInSessionsValidFromDateTime).toEqual(expect.any(String));

    const writes = world.writes();
    expect(writes.map((w) => `${w.method} ${w.path}`)).toEqual([
      `PATCH v1.0/users/${U.inactive}`,
      `POST v1.0/users/${U.inactive}/revokeSignInSessions`,
    ]);
    expect(result.graphRequestId).toBe(writes[0]?.requestId);

    expect(await auditRow(world, result.auditId)).toMatchObject({
      tenantId: TENANT_A,
      auditId: result.auditId,
      mode: "apply",
      action: "block-account",
      control: "accounts.inactive-90",
      subjectId: U.inactive,
      channel: "approval",
      requestedBy: "approver@contoso.com",
      approvalId: "appr-1",
      undoOf: null,
      before: { accountEnabled: true },
      after: { accountEnabled: false, sessionsRevoked: true },
      graphRequestId: result.graphRequestId,
      outcome: "done",
      message: result.message,
    });
  });

  it("blocks an inactive-30 account and a never-signed-in account (reference: createdDateTime)", async () => {
    expect((await remediate(world.deps(), block(U.inactive30, "accounts.inactive-30"), NOW)).outcome).toBe("done");
    expect((await remediate(world.deps(), block(U.neverSignedIn, "accounts.inactive-90"), NOW)).outcome).toBe("done");
  });

  it("is stale when the user signed in since the finding (< 30 days at `now`), and changes nothing", async () => {
    const result = await remediate(world.deps(), block(U.active, "accounts.inactive-30"), NOW);
    expect(result).toMatchObject({ outcome: "stale", before: { accountEnabled: true }, after: null, graphRequestId: null });
    expect(result.message).toContain("active within the last 30 days");
    expect(world.writes()).toEqual([]);
    expect((await auditRow(world, result.auditId)).outcome).toBe("stale");
  });

  it("re-judges at `now`: 45 days inactive holds today, a month earlier it did not", async () => {
    const earlier = new Date(NOW.getTime() - 20 * 86_400_000);
    expect((await remediate(world.deps(), block(U.inactive30, "accounts.inactive-30"), earlier)).outcome).toBe("stale");
    expect((await remediate(world.deps(), block(U.inactive30, "accounts.inactive-30"), NOW)).outcome).toBe("done");
  });

  it("is stale for an account that is already disabled, or that no longer exists", async () => {
    const disabled = await remediate(world.deps(), block(U.disabled), NOW);
    expect(disabled).toMatchObject({ outcome: "stale", before: { accountEnabled: false } });
    const gone = await remediate(world.deps(), block("00000000-0000-4000-8000-000000000999"), NOW);
    expect(gone).toMatchObject({ outcome: "stale", before: null });
    expect(gone.message).toContain("no longer exists");
    expect(world.writes()).toEqual([]);
  });

  it("refuses an on-premises synced account with a clear message, without trying the PATCH", async () => {
    const result = await remediate(world.deps(), block(U.synced), NOW);
    expect(result.outcome).toBe("refused");
    expect(result.message).toContain("must be disabled in on-premises Active Directory");
    expect(world.writes()).toEqual([]);
    expect(world.state(`v1.0/users/${U.synced}`).accountEnabled).toBe(true);
  });

  describe("mfa.admins (not registered), in a tenant whose policy blocks unregistered admins", () => {
    const blocking = { ...TENANT_RECORD, config: { ...TENANT_RECORD.config, remediation: { blockUnregisteredAdmins: true } } };

    it("blocks an admin who is still not registered", async () => {
      expect((await remediate(world.deps({ tenant: blocking }), block(U.adminUnregistered, "mfa.admins"), NOW)).outcome).toBe("done");
      expect(world.state(`v1.0/users/${U.adminUnregistered}`).accountEnabled).toBe(false);
    });

    it("is stale once the admin has registered for MFA (the finding is now not-enforced: enforce-mfa's)", async () => {
      const result = await remediate(world.deps({ tenant: blocking }), block(U.adminRegistered, "mfa.admins"), NOW);
      expect(result.outcome).toBe("stale");
      expect(result.message).toContain("(not-enforced) calls for enforce-mfa, not block-account");
      expect(world.writes()).toEqual([]);
    });
  });

  describe("the last two Global Administrators", () => {
    it("refuses when blocking would leave fewer than 2 enabled GAs (disabled holders and service principals don't count)", async () => {
      // Holders: the subject, one via the role-assignable group, one disabled, and a service principal.
      const result = await remediate(world.deps(), block(U.gaInactive), NOW);
      expect(result.outcome).toBe("refused");
      expect(result.message).toContain("only 1 other enabled Global Administrator would remain");
      expect(world.writes()).toEqual([]);
      expect((await auditRow(world, result.auditId)).outcome).toBe("refused");
    });

    it("allows it when two other enabled GAs remain", async () => {
      await world.deps().graph.client.api(`/users/${U.gaDisabled}`).patch({ accountEnabled: true });
      const result = await remediate(world.deps(), block(U.gaInactive), NOW);
      expect(result.outcome).toBe("done");
    });

    it("doesn't apply to users who don't hold the role (a tenant with one GA can still block others)", async () => {
      // Disable the group member: the tenant has a single enabled GA left, and U.inactive is not one.
      await world.deps().graph.client.api(`/users/${U.gaViaGroup}`).patch({ accountEnabled: false });
      expect((await remediate(world.deps(), block(U.inactive), NOW)).outcome).toBe("done");
    });
  });

  describe("undo", () => {
    it("re-enables the account, audited as an undo of the original row", async () => {
      const blocked = await remediate(world.deps(), block(U.inactive), NOW);
      const undone = await undo(world.deps(), {
        tenantId: TENANT_A,
        auditId: blocked.auditId,
        channel: "api",
        requestedBy: "helpdesk@contoso.com",
      });

      expect(undone).toMatchObject({ outcome: "done", before: { accountEnabled: false }, after: { accountEnabled: true } });
      expect(world.state(`v1.0/users/${U.inactive}`).accountEnabled).toBe(true);
      expect(undone.graphRequestId).toBe(world.writes().at(-1)?.requestId);
      expect(await auditRow(world, undone.auditId)).toMatchObject({
        mode: "undo",
        undoOf: blocked.auditId,
        action: "block-account",
        control: "accounts.inactive-90",
        subjectId: U.inactive,
        channel: "api",
        requestedBy: "helpdesk@contoso.com",
        // The approval that ran the block: undoing it marks that approval undone.
        approvalId: "appr-1",
        outcome: "done",
      });
    });

    it("is stale the second time (already enabled)", async () => {
      const blocked = await remediate(world.deps(), block(U.inactive), NOW);
      const undoRequest = { tenantId: TENANT_A, auditId: blocked.auditId, channel: "api", requestedBy: "helpdesk@contoso.com" } as const;
      expect((await undo(world.deps(), undoRequest)).outcome).toBe("done");
      expect((await undo(world.deps(), undoRequest)).outcome).toBe("stale");
    });

    it("says so when Graph refuses to revoke an administrator's sessions, naming the role the app needs", async () => {
      const denied = "Access to invalidate refresh tokens operation is denied.";
      world.sim.faults.add({
        path: /revokeSignInSessions$/,
        method: "POST",
        fault: { type: "status", status: 403, code: "Authorization_RequestDenied", message: denied },
      });
      const result = await remediate(world.deps(), block(U.inactive), NOW);
      expect(result).toMatchObject({ outcome: "permission-denied", after: { accountEnabled: false, sessionsRevoked: false } });
      expect(result.message).toMatch(
        /^The account user1@contoso\.com is blocked \(sign-in disabled\), but its existing sessions were NOT revoked: permission denied/,
      );
      expect(result.message).toContain("User.RevokeSessions.All");
      expect(result.message).toContain("for an administrator as target, the Entra role Privileged Authentication Administrator");
      expect(result.message).toContain(denied);
    });

    it("still undoes a block whose session revocation failed (the account was disabled)", async () => {
      world.sim.faults.add({ path: /revokeSignInSessions$/, method: "POST", fault: { type: "status", status: 500 } });
      const partial = await remediate(world.deps(), block(U.inactive), NOW);
      expect(partial).toMatchObject({ outcome: "failed", after: { accountEnabled: false, sessionsRevoked: false } });
      expect(partial.message).toMatch(
        /^The account user1@contoso\.com is blocked \(sign-in disabled\), but its existing sessions were NOT revoked: could not revoke the user's sign-in sessions: Graph 500/,
      );
      const [patch, revoke] = world.writes();
      expect(partial.graphRequestId).toBe(patch?.requestId);
      expect(partial.message).toContain(`request-id ${revoke?.requestId}`);
      const undone = await undo(world.deps(), {
        tenantId: TENANT_A,
        auditId: partial.auditId,
        channel: "api",
        requestedBy: "helpdesk@contoso.com",
      });
      expect(undone.outcome).toBe("done");
      expect(world.state(`v1.0/users/${U.inactive}`).accountEnabled).toBe(true);
    });
  });
});
