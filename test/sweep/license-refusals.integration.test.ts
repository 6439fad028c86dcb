/**
 * Graph answers a licensed tenant's signInActivity listing and registration report now and then
 * with the Free tenant's 403 (microsoftgraph/microsoft-graph-docs issue 14118, -contrib 3759, 3808).
 * A sweep asks again before it believes it: a passing refusal changes nothing, a lasting one is a
 * licence gap as today.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { FaultRule, TenantFixture } from "../../dev/simulator/index.js";
import { demoFixture, rowKeys, startSweepHarness, tenantReport, type SweepHarness } from "./harness.js";

const CONTOSO = "db7e339f-4fdd-5d4e-8778-ad3eb108a2f9";

let harness: SweepHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** Contoso on Entra ID P1: sign-in activity and the registration report are readable. */
async function p1Contoso(): Promise<TenantFixture> {
  const fixture = await demoFixture("contoso-messy");
  return { ...fixture, tenant: { ...fixture.tenant, license: "p1" } };
}

/** The licence 403 on the users listing with signInActivity (not the listing without it) and on the report. */
function refuse(times: { users: number; registration: number }): FaultRule[] {
  const fault = { type: "intermittent-license" } as const;
  return [
    { tenantId: CONTOSO, path: "v1.0/users", query: /signInActivity/, times: times.users, fault },
    { tenantId: CONTOSO, path: "v1.0/reports/authenticationMethods/userRegistrationDetails", times: times.registration, fault },
  ];
}

describe("a licence 403 on a P1 tenant", () => {
  it("that passes is retried: the run completes with the same findings as without it", async () => {
    harness = await startSweepHarness([await p1Contoso()]);
    const clean = tenantReport(await harness.sweep(), CONTOSO);
    expect(clean.findings.some((f) => f.control === "accounts.inactive-90" && f.status === "fail")).toBe(true);

    const [users, registration] = refuse({ users: 2, registration: 1 }).map((rule) => harness!.sim.faults.add(rule));
    const retried = tenantReport(await harness.sweep(), CONTOSO);

    expect([users?.fired, registration?.fired]).toEqual([2, 1]);
    expect(retried.status).toBe("completed");
    expect(rowKeys(retried.findings)).toEqual(rowKeys(clean.findings));
    expect(retried.notes.join("\n")).not.toMatch(/sign-in activity|MFA registration report/);
  });

  it("that persists is the tenant's licence: unknown rows with reason license, as for a Free tenant", async () => {
    harness = await startSweepHarness([await p1Contoso()]);
    const [users, registration] = refuse({ users: Infinity, registration: Infinity }).map((rule) => harness!.sim.faults.add(rule));
    const report = tenantReport(await harness.sweep(), CONTOSO);

    // The first answer and three retries, twice: the onboarding check before a new tenant's first
    // sweep probes both the same way (shared/onboarding/check.ts), then the scan reads them.
    expect([users?.fired, registration?.fired]).toEqual([8, 8]);
    expect(report.status).toBe("completed");
    for (const control of ["accounts.inactive-30", "accounts.inactive-90", "mfa.admins", "password.sspr-enabled"]) {
      expect(
        report.findings.find((f) => f.control === control),
        control,
      ).toMatchObject({ subjectId: null, status: "unknown", detail: { reason: "license" } });
    }
    // The directory itself was listed again without signInActivity: the other controls still judge.
    expect(report.findings.find((f) => f.control === "roles.global-admin-count")).toMatchObject({ status: "fail" });
    const notes = report.notes.join("\n");
    for (const source of ["sign-in activity", "MFA registration report"]) {
      expect(notes).toContain(`Could not read ${source} (license): Graph 403: Authentication_RequestFromNonPremiumTenantOrB2CTenant`);
    }
  });
});
