import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TENANTS_DIR } from "../../dev/embedded.js";
import type { RunReport } from "../../shared/sweep/report.js";
import { demoFixture, rowKeys, startSweepHarness, tenantReport, type SweepHarness } from "./harness.js";

interface ExpectedRow {
  control: string;
  subjectId: string | null;
  status: string;
  detail?: Record<string, unknown>;
}
interface Expectations {
  tenants: Record<string, { tenantId: string; rows: ExpectedRow[] }>;
}

/** Written by dev/fixtures/build-demo-tenants.ts from the people it declares, not from our output. */
const expectations = JSON.parse(readFileSync(`${DEMO_TENANTS_DIR}/../demo-expectations.json`, "utf8")) as Expectations;

describe("a sweep of the three demo tenants (simulator + Azurite + real queues)", () => {
  let harness: SweepHarness;
  let report: RunReport;

  beforeAll(async () => {
    harness = await startSweepHarness([
      await demoFixture("fabrikam-healthy"),
      await demoFixture("contoso-messy"),
      await demoFixture("northwind-free"),
    ]);
    report = await harness.sweep();
  }, 60_000);
  afterAll(() => harness.close());

  it("scans every tenant to completion through one queue message each", async () => {
    expect(report.tenants.map((t) => t.status)).toEqual(["completed", "completed", "completed"]);
    for (const lane of harness.app.scanLanes)
      expect((await lane.queue.getProperties()).approximateMessagesCount, lane.functionName).toBe(0);
  });

  for (const [file, expected] of Object.entries(expectations.tenants)) {
    it(`finds exactly the documented rows in ${file}`, () => {
      const tenant = tenantReport(report, expected.tenantId);
      expect(rowKeys(tenant.findings)).toEqual(rowKeys(expected.rows));
      for (const row of expected.rows.filter((r) => r.detail)) {
        const found = tenant.findings.find((f) => f.control === row.control && f.subjectId === row.subjectId);
        expect(found?.detail, `${row.control} ${row.subjectId ?? ""}`).toMatchObject(normalise(row.detail ?? {}));
      }
    });
  }

  it("records why a Free tenant's licence-gated controls are unknown, without failing the run", () => {
    const northwind = tenantReport(report, expectations.tenants["northwind-free.json"]?.tenantId ?? "");
    const inactive = northwind.findings.find((f) => f.control === "accounts.inactive-90");
    expect(inactive).toMatchObject({ subjectId: null, status: "unknown", detail: { reason: "license" } });
    expect(northwind.notes.join("\n")).toMatch(/PIM eligible assignments not visible/);
  });

  it("uses bulk reads: a handful of Graph requests per tenant, no per-user calls", () => {
    for (const tenant of report.tenants) expect(tenant.requestCount).toBeLessThan(20);
    const perUserReads = harness.sim.requests.filter((r) => /^v1\.0\/users\/[^/]+$/.test(r.path) && r.method === "GET");
    expect(perUserReads).toEqual([]);
  });
});

/** Lists in expectations are sets: compare them in any order. */
function normalise(detail: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(detail).map(([k, v]) => [k, Array.isArray(v) ? expect.arrayContaining(v) : v]));
}
