/**
 * The onboarding check against the simulator, whose tokens carry each tenant's consent in `roles`
 * and whose routes refuse like Graph (dev/simulator/auth/): it names exactly the permissions a
 * tenant did not grant, the app's missing Entra role, the licences a Free tenant lacks; it only
 * reads; the HTTP endpoint validates its route; a new tenant's first sweep stores the result.
 */
import functionsRuntime from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleCheckTenant } from "../../functions/tenant-check.js";
import type { TenantFixture } from "../../dev/simulator/index.js";
import { matchGraphCall, permissionsFor, type Feature } from "../../shared/graph/permission-manifest.js";
import type { FeatureReadiness, ReadinessReport } from "../../shared/model/readiness.js";
import { demoFixture, startSweepHarness, tenantReport, type SweepHarness } from "../sweep/harness.js";

const { HttpRequest, InvocationContext } = functionsRuntime;

const CONTOSO = "db7e339f-4fdd-5d4e-8778-ad3eb108a2f9";
const NORTHWIND = "7eeae1f8-47f6-59a9-b6f3-65578cfe6cac";
/** Contoso's data under other tenant ids, each with a different consent. */
const PARTIAL = "0b5e2d1c-6a47-4f1e-9c3b-2d8e7f6a5b41";
const SWEEP_ONLY = "1c6f3e2d-7b58-4a2f-8d4c-3e9f8a7b6c52";
const NO_PAA = "2d7a4f3e-8c69-4b3a-9e5d-4fa09b8c7d63";

const BROAD = "3e8b5a4f-9d7a-4c4b-8f6e-5ab1ac9d8e74";

const PARTIAL_MISSING = ["AuditLog.Read.All", "Policy.ReadWrite.Authorization"];
/** Directory.Read.All in place of the narrower reads it covers (each API's Learn page accepts it). */
const BROAD_PERMISSIONS = [
  ...permissionsFor("sweep").filter(
    (p) => !["User.Read.All", "GroupMember.Read.All", "Domain.Read.All", "RoleManagement.Read.Directory"].includes(p),
  ),
  "Directory.Read.All",
];

function variant(base: TenantFixture, id: string, displayName: string, app: TenantFixture["app"]): TenantFixture {
  return { ...base, tenant: { ...base.tenant, id, displayName }, app };
}

let started: SweepHarness | undefined;
function harness(): SweepHarness {
  if (!started) throw new Error("the harness did not start");
  return started;
}
const reports = new Map<string, ReadinessReport>();

beforeAll(async () => {
  const contoso = await demoFixture("contoso-messy");
  const northwind = await demoFixture("northwind-free");
  expect(northwind.tenant.id).toBe(NORTHWIND);
  started = await startSweepHarness([
    contoso,
    northwind,
    variant(contoso, PARTIAL, "Partial", { permissions: permissionsFor(...ALL_BUT_MAIL).filter((p) => !PARTIAL_MISSING.includes(p)) }),
    variant(contoso, SWEEP_ONLY, "Sweep only", { permissions: permissionsFor("sweep") }),
    variant(contoso, NO_PAA, "No PAA", { roles: ["User Administrator"] }),
    variant(contoso, BROAD, "Broad", { permissions: BROAD_PERMISSIONS }),
  ]);
  for (const tenantId of [CONTOSO, NORTHWIND, PARTIAL, SWEEP_ONLY, NO_PAA, BROAD]) {
    harness().sim.tenant(tenantId).reset();
    reports.set(tenantId, await harness().app.checkTenant(tenantId));
  }
}, 120_000);
afterAll(() => started?.close());

const ALL_BUT_MAIL: Feature[] = ["sweep", "block-account", "enforce-mfa", "disable-user-consent", "set-password-never-expire"];

function report(tenantId: string): ReadinessReport {
  const found = reports.get(tenantId);
  if (!found) throw new Error(`no report for ${tenantId}`);
  return found;
}

function feature(tenantId: string, name: Feature): FeatureReadiness {
  const found = report(tenantId).features.find((f) => f.feature === name);
  if (!found) throw new Error(`no ${name} in the report of ${tenantId}`);
  return found;
}

const statuses = (tenantId: string) => Object.fromEntries(report(tenantId).features.map((f) => [f.feature, f.status]));

describe("the onboarding check", () => {
  it("a tenant that consented to everything, with the app's role: every feature ready (the digest is not needed with approvals off)", () => {
    expect(report(CONTOSO)).toMatchObject({
      signedIn: true,
      sweepReady: true,
      appDirectoryRoles: ["Privileged Authentication Administrator"],
    });
    expect(statuses(CONTOSO)).toEqual({
      sweep: "ready",
      "block-account": "ready",
      "enforce-mfa": "ready",
      "disable-user-consent": "ready",
      "set-password-never-expire": "ready",
      "digest-mail": "not-needed",
    });
    expect(report(CONTOSO).grantedPermissions).toEqual(
      permissionsFor("sweep", "block-account", "enforce-mfa", "disable-user-consent", "set-password-never-expire", "digest-mail"),
    );
    expect(report(CONTOSO).probes.filter((p) => p.outcome !== "ok")).toEqual([]);
  });

  it("a tenant that consented to only some permissions: each feature names exactly the ones it misses", () => {
    const r = report(PARTIAL);
    expect(r.sweepReady).toBe(false);
    for (const name of ALL_BUT_MAIL) {
      const expected = permissionsFor(name).filter((p) => PARTIAL_MISSING.includes(p));
      expect(feature(PARTIAL, name).missingPermissions, name).toEqual(expected);
      expect(feature(PARTIAL, name).status, name).toBe(expected.length > 0 ? "missing-permission" : "ready");
    }
    expect(feature(PARTIAL, "sweep").missingPermissions).toEqual(["AuditLog.Read.All"]);
    expect(feature(PARTIAL, "disable-user-consent").missingPermissions).toEqual(["Policy.ReadWrite.Authorization"]);
    expect(feature(PARTIAL, "set-password-never-expire").status).toBe("ready");
    expect(feature(PARTIAL, "sweep").next.join("\n")).toMatch(
      /grant AuditLog\.Read\.All \(Microsoft Graph application permission\) and re-consent: https:\/\/localhost:\d+\/0b5e2d1c-[^ ]*\/v2\.0\/adminconsent\?client_id=/,
    );
    // The reads that permission would allow were not even tried.
    expect(r.probes.filter((p) => p.outcome === "skipped").map((p) => p.source)).toEqual(["sign-in activity", "MFA registration report"]);
  });

  it("a broader permission counts for the narrower one it covers (Directory.Read.All for User.Read.All, …), and Graph agrees", () => {
    expect(feature(BROAD, "sweep")).toMatchObject({ status: "ready", missingPermissions: [] });
    expect(report(BROAD).probes.filter((p) => p.outcome !== "ok")).toEqual([]);
  });

  it("a tenant consented for the read-only sweep: the sweep is ready, each remediation names what it lacks", () => {
    expect(report(SWEEP_ONLY).sweepReady).toBe(true);
    expect(feature(SWEEP_ONLY, "sweep").status).toBe("ready");
    expect(feature(SWEEP_ONLY, "block-account").missingPermissions).toEqual([
      "Application.Read.All",
      "User.EnableDisableAccount.All",
      "User.RevokeSessions.All",
    ]);
    expect(feature(SWEEP_ONLY, "enforce-mfa").missingPermissions).toEqual([
      "Application.Read.All",
      "Policy.ReadWrite.AuthenticationMethod",
    ]);
    expect(feature(SWEEP_ONLY, "disable-user-consent").missingPermissions).toEqual(["Policy.ReadWrite.Authorization"]);
    expect(feature(SWEEP_ONLY, "set-password-never-expire").missingPermissions).toEqual(["Domain.ReadWrite.All"]);
    // Without Application.Read.All the app's own principal (and so its role) cannot be read: said, not guessed.
    expect(report(SWEEP_ONLY).appDirectoryRoles).toBeNull();
    expect(feature(SWEEP_ONLY, "block-account").problems.join("\n")).toMatch(
      /Entra role Privileged Authentication Administrator not checked: .*Application\.Read\.All/,
    );
  });

  it("a tenant whose app lacks Privileged Authentication Administrator: block-account names the role, the rest is ready", () => {
    expect(report(NO_PAA).appDirectoryRoles).toEqual(["User Administrator"]);
    expect(statuses(NO_PAA)).toMatchObject({ sweep: "ready", "block-account": "missing-role", "enforce-mfa": "ready" });
    const block = feature(NO_PAA, "block-account");
    expect(block).toMatchObject({ missingRole: "Privileged Authentication Administrator", missingPermissions: [] });
    expect(block.next.join("\n")).toMatch(
      /assign the Entra role Privileged Authentication Administrator to the app's service principal [0-9a-f-]{36} in this tenant.*7be44c8a-adaf-4e2a-84d6-ab2649e08a13/,
    );
  });

  it("a Free tenant: missing licences where a licence decides, and the sweep still runs", () => {
    const sweep = feature(NORTHWIND, "sweep");
    expect(report(NORTHWIND).sweepReady).toBe(true);
    expect(sweep.status).toBe("missing-licence");
    expect(sweep.missingLicences).toEqual([
      {
        licence: "Entra ID P1",
        for: ["list users with sign-in activity", "read the MFA registration report", "list Conditional Access policies"],
      },
      { licence: "Entra ID P2", for: ["list PIM eligible assignments"] },
    ]);
    expect(sweep.next.join("\n")).toMatch(/Entra ID P1 is needed to list users with sign-in activity.*reported unknown \(licence\)/);
    // Remediations that need no licensed read are ready.
    expect(statuses(NORTHWIND)).toMatchObject({
      "disable-user-consent": "ready",
      "set-password-never-expire": "ready",
      "block-account": "missing-licence",
    });
    const probes = Object.fromEntries(report(NORTHWIND).probes.map((p) => [p.source, p.outcome]));
    expect(probes).toMatchObject({
      users: "ok",
      "sign-in activity": "missing-licence",
      "PIM eligible assignments": "missing-licence",
      domains: "ok",
    });
  });

  it("only reads: every request is a GET the permission manifest lists", () => {
    for (const tenantId of [CONTOSO, NORTHWIND, PARTIAL, SWEEP_ONLY, NO_PAA, BROAD]) {
      const requests = harness().sim.tenant(tenantId).requests;
      expect(requests.length, tenantId).toBeGreaterThan(0);
      expect(
        requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`),
        tenantId,
      ).toEqual([]);
      const unlisted = requests.filter((r) => {
        const [version = "", ...rest] = r.path.split("/");
        return matchGraphCall(r.method, version, rest.join("/"), (r.query.$select ?? "").split(",")) === undefined;
      });
      expect(
        unlisted.map((r) => r.path),
        tenantId,
      ).toEqual([]);
    }
  });
});

describe("POST tenants/{tenantId}/check", () => {
  const post = (tenantId: string) =>
    handleCheckTenant(
      harness().app,
      new HttpRequest({ method: "POST", url: `http://localhost/api/tenants/${tenantId}/check`, params: { tenantId } }),
      new InvocationContext(),
    );

  it("400 for a malformed tenant id, 404 for an unregistered one, and nothing is read from Graph", async () => {
    const before = harness().sim.requests.length;
    expect(await post("contoso.onmicrosoft.com")).toMatchObject({ status: 400, jsonBody: { error: { code: "bad-tenant-id" } } });
    expect(await post("not-a-guid\n[x] forged")).toMatchObject({ status: 400 });
    expect(await post("9f0e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f")).toMatchObject({
      status: 404,
      jsonBody: { error: { code: "unknown-tenant" } },
    });
    expect(harness().sim.requests.length).toBe(before);
  });

  it("200 with the report, stored on the tenant's record", async () => {
    const response = await post(NO_PAA.toUpperCase());
    expect(response.status).toBe(200);
    const body = response.jsonBody as ReadinessReport;
    expect(body).toMatchObject({ tenantId: NO_PAA, sweepReady: true });
    expect(body.features.find((f) => f.feature === "block-account")?.status).toBe("missing-role");
    const stored = await harness().app.tenants.get(NO_PAA);
    expect(stored?.readiness).toMatchObject({ checkedAt: body.checkedAt, summary: body.summary, sweepReady: true });
    // The operator's settings are untouched by storing it.
    expect(stored?.config.exclusions.groupIds).toEqual(["bf14e414-c639-5799-b4ab-9e3d45945883"]);
  });
});

describe("a new tenant's first sweep", () => {
  let sweepHarness: SweepHarness;
  beforeAll(async () => {
    const contoso = await demoFixture("contoso-messy");
    sweepHarness = await startSweepHarness([
      contoso,
      variant(contoso, PARTIAL, "Partial", { permissions: permissionsFor("sweep").filter((p) => p !== "Domain.Read.All") }),
    ]);
  }, 60_000);
  afterAll(() => sweepHarness.close());

  it("checks the tenant first, stores the result, and the sweep reports what it can; a ready tenant is not checked again", async () => {
    expect(await sweepHarness.app.tenants.get(PARTIAL)).not.toHaveProperty("readiness");
    const first = await sweepHarness.sweep();
    const partial = await sweepHarness.app.tenants.get(PARTIAL);
    expect(partial?.readiness).toMatchObject({ sweepReady: false });
    expect(partial?.readiness?.features.find((f) => f.feature === "sweep")?.missingPermissions).toEqual(["Domain.Read.All"]);
    // Not ready, yet scanned: every source but domains was read and judged.
    const run = tenantReport(first, PARTIAL);
    expect(run.status).toBe("partial");
    expect(run.findings.length).toBeGreaterThan(0);
    expect(run.notes[0]).toMatch(/^Onboarding check: the sweep is NOT ready: sweep: missing Domain\.Read\.All/);
    expect((await sweepHarness.app.tenants.get(CONTOSO))?.readiness).toMatchObject({ sweepReady: true });
    expect(tenantReport(first, CONTOSO).notes.join("\n")).not.toMatch(/Onboarding check/);

    // Next night: Contoso (ready) is not checked again; the tenant that was not ready is.
    sweepHarness.sim.tenant(CONTOSO).reset();
    sweepHarness.sim.tenant(PARTIAL).reset();
    await sweepHarness.sweep();
    const ownPrincipalReads = (tenantId: string) =>
      sweepHarness.sim.tenant(tenantId).requests.filter((r) => r.path === "v1.0/servicePrincipals").length;
    expect(ownPrincipalReads(CONTOSO)).toBe(0);
    expect(
      sweepHarness.sim.tenant(PARTIAL).requests.some((r) => r.path === "v1.0/policies/authorizationPolicy" && r.query.$select === "id"),
    ).toBe(true);
    expect(ownPrincipalReads(PARTIAL)).toBe(0); // Application.Read.All not granted: not even tried
  }, 120_000);
});
