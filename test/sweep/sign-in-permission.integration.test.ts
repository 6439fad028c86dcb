/**
 * Without AuditLog.Read.All, Graph refuses the users listing that selects signInActivity with a
 * permission 403; the user list itself needs only User.Read.All (graph-facts §10). The sweep lists
 * users again without sign-in activity, as for a missing licence: the inactive-account controls are
 * `unknown` with reason `permission`, every other control is judged as in a clean sweep.
 *
 * Two bodies: graph-facts' Authorization_RequestDenied, and the one observed for this very call
 * (microsoftgraph/microsoft-graph-explorer-v4 issue 2731, 2023-08).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { TenantFixture } from "../../dev/simulator/index.js";
import { demoFixture, rowKeys, startSweepHarness, tenantReport, type SweepHarness } from "./harness.js";

const CONTOSO = "db7e339f-4fdd-5d4e-8778-ad3eb108a2f9";
const INACTIVE = ["accounts.inactive-30", "accounts.inactive-90"];

let harness: SweepHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** Contoso on Entra ID P1: sign-in activity is licensed, only the permission is missing. */
async function p1Contoso(): Promise<TenantFixture> {
  const fixture = await demoFixture("contoso-messy");
  return { ...fixture, tenant: { ...fixture.tenant, license: "p1" } };
}

const REFUSALS = [
  { code: "Authorization_RequestDenied", message: "Insufficient privileges to complete the operation." },
  {
    code: "Authentication_MSGraphPermissionMissing",
    message: "Calling principal does not have required MSGraph permissions AuditLog.Read.All",
  },
];

describe("sign-in activity refused for a missing permission", () => {
  it.each(REFUSALS)(
    "($code) lists users without it: inactive-account rows unknown (permission), every other control judged as in a clean sweep",
    async ({ code, message }) => {
      harness = await startSweepHarness([await p1Contoso()]);
      const clean = tenantReport(await harness.sweep(), CONTOSO);
      expect(clean.findings.some((f) => f.control === "accounts.inactive-90" && f.status === "fail")).toBe(true);

      const refusal = harness.sim.faults.add({
        tenantId: CONTOSO,
        path: "v1.0/users",
        query: /signInActivity/,
        times: Infinity,
        fault: { type: "status", status: 403, code, message },
      });
      const report = tenantReport(await harness.sweep(), CONTOSO);

      expect(refusal.fired).toBe(1); // a permission is not a licence: not asked again
      expect(report.status).toBe("completed"); // as for a licence gap: the gap is noted and the controls it feeds are unknown
      for (const control of INACTIVE) {
        const rows = report.findings.filter((f) => f.control === control);
        expect(rows.map((f) => [f.subjectId, f.status, f.detail.reason, f.detail.code])).toEqual([[null, "unknown", "permission", code]]);
      }
      const judged = (findings: typeof report.findings) => rowKeys(findings.filter((f) => !INACTIVE.includes(f.control)));
      expect(judged(report.findings)).toEqual(judged(clean.findings));
      expect(report.findings.find((f) => f.control === "mfa.admins")?.status).not.toBe("unknown");
      // The inactive accounts found last night are not resolved by absence: they could not be re-checked.
      expect(report.changes.resolved).toBe(0);
      expect(report.notes.join("\n")).toContain(`Could not read sign-in activity (permission): Graph 403: ${code}: ${message}`);
    },
  );
});
