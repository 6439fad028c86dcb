/**
 * A tenant whose admin consented to less than everything, as real tenants often are: the sweep
 * reads what it may, and each remediation that needs more ends `permission-denied` naming the
 * permission (or the app's role) the refused call needs. Permissions are the simulator's model of
 * Graph (dev/simulator/auth/authorization.ts), not our belief in the manifest.
 */
import { afterEach, expect, it } from "vitest";
import type { TenantFixture } from "../../dev/simulator/index.js";
import { permissionsFor } from "../../shared/graph/permission-manifest.js";
import { remediate } from "../../shared/remediation/remediate.js";
import type { RemediationRequest } from "../../shared/model/remediation.js";
import { DEMO_AS_OF, demoFixture, rowKeys, startSweepHarness, tenantReport, type SweepHarness } from "./harness.js";

const CONTOSO = "db7e339f-4fdd-5d4e-8778-ad3eb108a2f9";
const ENRICO = "91cbee10-7d58-51d9-b27f-68150da6fb60"; // inactive-90
const ISAIAH = "91321ff0-0752-5c10-a3df-f9d00f053262"; // Global Administrator, not registered for MFA
const MEGAN = "589464b4-da21-5327-b218-62aba773345c"; // Global Administrator, MFA not enforced

let harness: SweepHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function contoso(app: TenantFixture["app"]): Promise<TenantFixture> {
  return { ...(await demoFixture("contoso-messy")), app };
}

async function act(h: SweepHarness, request: Omit<RemediationRequest, "tenantId" | "channel" | "requestedBy">) {
  const record = await h.app.tenants.get(CONTOSO);
  if (!record) throw new Error("Contoso is not registered");
  // Stored, not only passed: the attempt re-reads the tenant's record under its lease.
  const tenant = { ...record, config: { ...record.config, remediation: { blockUnregisteredAdmins: true } } };
  await h.app.tenants.upsert(tenant);
  return remediate(
    h.app.remediationFor(tenant),
    { tenantId: CONTOSO, channel: "api", requestedBy: "consent test", ...request },
    DEMO_AS_OF,
  );
}

it("consented for the read-only sweep: the sweep completes as with full consent, every remediation is permission-denied naming the permission", async () => {
  harness = await startSweepHarness([await contoso(undefined)]);
  const full = tenantReport(await harness.sweep(), CONTOSO);
  await harness.close();

  harness = await startSweepHarness([await contoso({ permissions: permissionsFor("sweep") })]);
  const readOnly = tenantReport(await harness.sweep(), CONTOSO);
  expect(readOnly.status).toBe("completed");
  expect(rowKeys(readOnly.findings)).toEqual(rowKeys(full.findings));

  const cases = [
    [{ action: "block-account", control: "accounts.inactive-90", subjectId: ENRICO }, "Application.Read.All"],
    [{ action: "enforce-mfa", control: "mfa.admins", subjectId: MEGAN }, "Application.Read.All"],
    [{ action: "disable-user-consent", control: "apps.user-consent", subjectId: null }, "Policy.ReadWrite.Authorization"],
    [{ action: "set-password-never-expire", control: "password.never-expire", subjectId: "contosolabs.com" }, "Domain.ReadWrite.All"],
  ] as const;
  for (const [request, permission] of cases) {
    const result = await act(harness, request);
    expect(result.outcome, `${request.action}: ${result.message}`).toBe("permission-denied");
    expect(result.message).toContain(`this needs ${permission}`);
  }
  expect(harness.sim.tenant(CONTOSO).requests.filter((r) => r.method === "PATCH" && r.status < 300)).toEqual([]);
});

it("without Privileged Authentication Administrator, blocking an administrator is permission-denied naming the role; a plain user is blocked", async () => {
  harness = await startSweepHarness([await contoso({ roles: ["User Administrator"] })]);
  const admin = await act(harness, { action: "block-account", control: "mfa.admins", subjectId: ISAIAH });
  expect(admin.outcome).toBe("permission-denied");
  expect(admin.message).toContain("could not disable the account");
  expect(admin.message).toContain("the Entra role Privileged Authentication Administrator");
  expect(harness.sim.tenant(CONTOSO).get(`v1.0/users/${ISAIAH}`)).toMatchObject({ accountEnabled: true });

  expect((await act(harness, { action: "block-account", control: "accounts.inactive-90", subjectId: ENRICO })).outcome).toBe("done");
});

it("without AuditLog.Read.All: users are listed without sign-in activity, the controls that need it are unknown (permission), the others judged", async () => {
  harness = await startSweepHarness([await contoso(undefined)]);
  const full = tenantReport(await harness.sweep(), CONTOSO);
  await harness.close();

  harness = await startSweepHarness([await contoso({ permissions: permissionsFor("sweep").filter((p) => p !== "AuditLog.Read.All") })]);
  const partial = tenantReport(await harness.sweep(), CONTOSO);
  // The registration report needs AuditLog.Read.All too: a missing permission there is a gap to fix,
  // so the run is partial (nothing resolved by absence), unlike sign-in activity's fallback.
  expect(partial.status).toBe("partial");
  expect(partial.notes.join("\n")).toMatch(/MFA registration report/);
  const byControl = (control: string) => partial.findings.filter((f) => f.control === control);
  for (const control of ["accounts.inactive-30", "accounts.inactive-90", "mfa.admins", "password.sspr-enabled"]) {
    expect(byControl(control).map((f) => [f.subjectId, f.status, f.detail.reason])).toEqual([[null, "unknown", "permission"]]);
  }
  const judged = (findings: typeof full.findings) =>
    rowKeys(
      findings.filter((f) => !["accounts.inactive-30", "accounts.inactive-90", "mfa.admins", "password.sspr-enabled"].includes(f.control)),
    );
  expect(judged(partial.findings)).toEqual(judged(full.findings));
});
