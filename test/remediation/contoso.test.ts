/**
 * The demo tenant contoso-messy (dev/fixtures/tenants/README.md): its findings as of
 * 2026-11-28T02:00:00Z, remediated against the simulator. Ids are the README's.
 */
import { describe, expect, it } from "vitest";
import type { TenantRecord } from "../../shared/model/tenant.js";
import { remediate } from "../../shared/remediation/remediate.js";
import type { RemediationRequest } from "../../shared/model/remediation.js";
import { auditRow, NOW, useWorld } from "./world.js";

const CONTOSO = "db7e339f-4fdd-5d4e-8778-ad3eb108a2f9";
const TENANT: TenantRecord = {
  tenantId: CONTOSO,
  displayName: "Contoso",
  enabled: true,
  config: {
    exclusions: { userIds: ["54831a27-16c5-5e2e-b3ff-4a595363c8dc"], groupIds: ["bf14e414-c639-5799-b4ab-9e3d45945883"] },
    approvers: ["it-security@contoso.com"],
  },
};
const PEOPLE = {
  enrico: "91cbee10-7d58-51d9-b27f-68150da6fb60", // inactive-90, 270 days
  nora: "5b47e31d-c66e-5685-8835-33720da59764", // inactive-90, on-premises synced
  irvin: "d93a87a0-072b-5121-8f3d-3df13956610b", // 1 s short of 30 days
  svcBackup: "6a009a42-741c-531c-abd9-7df9951265c9", // member of excluded SG-Service-Accounts
  breakglass: "54831a27-16c5-5e2e-b3ff-4a595363c8dc", // configured exclusion
  isaiah: "91321ff0-0752-5c10-a3df-f9d00f053262", // GA + Exchange admin, not registered
  megan: "589464b4-da21-5327-b218-62aba773345c", // GA, registered, not enforced
  nestor: "51f03e1d-5ced-5fb9-af16-6d2c652db911", // GA through role-assignable SG-Tier0-Admins
} as const;

const world = useWorld({ fixtures: () => ["dev/fixtures/tenants/contoso-messy.json"], tenant: TENANT });
const req = (overrides: Pick<RemediationRequest, "action" | "control" | "subjectId">): RemediationRequest => ({
  tenantId: CONTOSO,
  channel: "approval",
  requestedBy: "it-security@contoso.com",
  ...overrides,
});
const block = (subjectId: string, control: RemediationRequest["control"] = "accounts.inactive-90") =>
  req({ action: "block-account", control, subjectId });

describe("contoso-messy", () => {
  it("blocks Enrico (inactive 270 days)", async () => {
    const result = await remediate(world.deps(), block(PEOPLE.enrico), NOW);
    expect(result.outcome).toBe("done");
    const enrico = world.state(`v1.0/users/${PEOPLE.enrico}`);
    expect(enrico.accountEnabled).toBe(false);
    expect(typeof enrico.signInSessionsValidFromDateTime).toBe("string");
    expect(await auditRow(world, result.auditId, CONTOSO)).toMatchObject({ outcome: "done", before: { accountEnabled: true } });
  });

  it("refuses Nora (synced), the break-glass account and svc-backup (excluded group); Irvin is stale", async () => {
    const nora = await remediate(world.deps(), block(PEOPLE.nora), NOW);
    expect(nora.outcome).toBe("refused");
    expect(nora.message).toContain("must be disabled in on-premises Active Directory");
    expect((await remediate(world.deps(), block(PEOPLE.breakglass), NOW)).outcome).toBe("refused");
    expect((await remediate(world.deps(), block(PEOPLE.svcBackup), NOW)).outcome).toBe("refused");
    expect((await remediate(world.deps(), block(PEOPLE.irvin, "accounts.inactive-30"), NOW)).outcome).toBe("stale");
    expect(world.writes()).toEqual([]);
  });

  /** Blocking an unregistered admin is opt-in per tenant (blockUnregisteredAdmins). */
  const blocksAdmins = { tenant: { ...TENANT, config: { ...TENANT.config, remediation: { blockUnregisteredAdmins: true } } } };

  it("blocks Isaiah (GA, not registered) when the tenant opts in: break-glass, Megan and Nestor (via SG-Tier0-Admins) stay enabled", async () => {
    const result = await remediate(world.deps(blocksAdmins), block(PEOPLE.isaiah, "mfa.admins"), NOW);
    expect(result.outcome).toBe("done");
  });

  it("refuses to block Isaiah once Megan and Nestor are disabled: only the break-glass GA would remain", async () => {
    const client = world.deps().graph.client;
    await client.api(`/users/${PEOPLE.megan}`).patch({ accountEnabled: false });
    await client.api(`/users/${PEOPLE.nestor}`).patch({ accountEnabled: false });
    const result = await remediate(world.deps(blocksAdmins), block(PEOPLE.isaiah, "mfa.admins"), NOW);
    expect(result.outcome).toBe("refused");
    expect(result.message).toContain("only 1 other enabled Global Administrator would remain");
    expect(world.state(`v1.0/users/${PEOPLE.isaiah}`).accountEnabled).toBe(true);
  });

  it("enforces per-user MFA for Megan (GA, not enforced)", async () => {
    const result = await remediate(world.deps(), req({ action: "enforce-mfa", control: "mfa.admins", subjectId: PEOPLE.megan }), NOW);
    expect(result).toMatchObject({ outcome: "done", before: { perUserMfaState: "disabled" } });
    expect(world.state(`beta/users/${PEOPLE.megan}/authentication/requirements`).perUserMfaState).toBe("enforced");
  });

  it("turns off user consent, keeping both owned-resource entries; fixes contosolabs.com", async () => {
    const consent = await remediate(
      world.deps(),
      req({ action: "disable-user-consent", control: "apps.user-consent", subjectId: null }),
      NOW,
    );
    expect(consent.after).toEqual({
      permissionGrantPoliciesAssigned: [
        "ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team",
        "ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-chat",
      ],
    });
    const domain = await remediate(
      world.deps(),
      req({ action: "set-password-never-expire", control: "password.never-expire", subjectId: "contosolabs.com" }),
      NOW,
    );
    expect(domain).toMatchObject({ outcome: "done", before: { passwordValidityPeriodInDays: 90 } });
    const unverified = await remediate(
      world.deps(),
      req({ action: "set-password-never-expire", control: "password.never-expire", subjectId: "contoso-retail.com" }),
      NOW,
    );
    expect(unverified.outcome).toBe("stale");
  });
});
