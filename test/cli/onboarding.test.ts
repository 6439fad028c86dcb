/** `npm run tenants -- consent-url | check | list` as an operator runs them, against the simulator and Azurite. */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGraphSimulator, TEST_APP_CLIENT_ID, type GraphSimulator } from "../../dev/simulator/index.js";
import { permissionsFor } from "../../shared/graph/permission-manifest.js";
import type { ReadinessReport } from "../../shared/model/readiness.js";
import { TableStore } from "../../shared/storage/connection.js";
import { TableTenantsRepository } from "../../shared/storage/tenants.js";
import { simulatorSettings } from "../setup/simulator-settings.js";
import { uniquePrefix } from "../storage/store.js";
import { demoFixture } from "../sweep/harness.js";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const CONTOSO = "db7e339f-4fdd-5d4e-8778-ad3eb108a2f9";
const NORTHWIND = "7eeae1f8-47f6-59a9-b6f3-65578cfe6cac";

let sim: GraphSimulator;
let env: NodeJS.ProcessEnv;
let repository: TableTenantsRepository;

beforeAll(async () => {
  const contoso = await demoFixture("contoso-messy");
  // Contoso consented to the read-only sweep minus Domain.Read.All: the sweep is not ready.
  sim = await startGraphSimulator({
    fixtures: [
      { ...contoso, app: { permissions: permissionsFor("sweep").filter((p) => p !== "Domain.Read.All") } },
      await demoFixture("northwind-free"),
    ],
    throttling: { enabled: false },
  });
  const prefix = uniquePrefix();
  const settings = simulatorSettings(sim, { tablePrefix: prefix });
  env = { ...process.env, ...settings };
  repository = new TableTenantsRepository(
    new TableStore({ connectionString: settings.AzureWebJobsStorage as string }, { tableNamePrefix: prefix }),
  );
  await repository.upsert({
    tenantId: CONTOSO,
    displayName: "Contoso\u202e\nforged",
    enabled: true,
    config: { approvers: [], exclusions: { userIds: [], groupIds: [] } },
  });
});
afterAll(() => sim.close());

async function tenants(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run("npx", ["tsx", "cli/tenants.ts", ...args], { cwd: ROOT, env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const failed = e as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

describe("npm run tenants -- consent-url", () => {
  it("prints the admin-consent URL, the profile's permissions and how to grant them", async () => {
    const result = await tenants(
      "consent-url",
      CONTOSO,
      "--remediation",
      "--redirect-uri",
      "https://patrol.example.com/consented",
      "--state",
      "abc",
    );
    expect(result.code).toBe(0);
    const url = result.stdout
      .split("\n")
      .map((l) => l.trim())
      .find((l) => l.includes("/v2.0/adminconsent?"));
    expect(url).toBe(
      `${sim.authorityHost}/${CONTOSO}/v2.0/adminconsent?client_id=${TEST_APP_CLIENT_ID}&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&redirect_uri=https%3A%2F%2Fpatrol.example.com%2Fconsented&state=abc`,
    );
    for (const permission of permissionsFor("sweep", "block-account", "digest-mail")) expect(result.stdout).toContain(permission);
    expect(result.stdout).toContain("az ad app permission add");
    expect(result.stdout).toContain("Privileged Authentication Administrator");
    expect(result.stdout).toMatch(/never a subset/);
  }, 60_000);

  it("--json gives the plan; a tenant id that is not a GUID is a usage error", async () => {
    const json = await tenants("consent-url", CONTOSO, "--json");
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as { permissions: { name: string }[] }).permissions.map((p) => p.name)).toEqual(
      permissionsFor("sweep"),
    );
    const bad = await tenants("consent-url", "contoso.onmicrosoft.com");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/is not a tenant id/);
  }, 60_000);
});

describe("npm run tenants -- check", () => {
  it("names the missing permission, stores the result, exits 3 when the sweep is not ready; list shows it", async () => {
    const result = await tenants("check", CONTOSO);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/MISSING PERMISSION\s+nightly sweep \(read-only\)\n\s+missing permissions: Domain\.Read\.All/);
    expect(result.stdout).toMatch(/→ grant Domain\.Read\.All .*re-consent: https:\/\/localhost/);
    // The tenant's display name is escaped: one printed line stays one line.
    expect(result.stdout).toContain("(Contoso\\u202e\\u000aforged)");
    expect(result.stdout).toContain("Stored on the tenant's record.");
    expect((await repository.get(CONTOSO))?.readiness).toMatchObject({ sweepReady: false });
    expect(sim.tenant(CONTOSO).requests.filter((r) => r.method !== "GET")).toEqual([]);

    const list = await tenants("list");
    expect(list.stdout).toMatch(/readiness: sweep NOT ready \(sweep: missing Domain\.Read\.All/);
  }, 60_000);

  it("--json for automation, exit 0 when the sweep is ready (a Free tenant: licences missing, sweep ready); unregistered: not stored", async () => {
    const result = await tenants("check", NORTHWIND, "--json");
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as ReadinessReport;
    expect(report).toMatchObject({ tenantId: NORTHWIND, sweepReady: true });
    expect(report.features.find((f) => f.feature === "sweep")?.status).toBe("missing-licence");
    expect(await repository.get(NORTHWIND)).toBeUndefined();
  }, 60_000);
});
