import { describe, expect, it } from "vitest";
import type { FindingRow } from "../../shared/model/findings.js";
import { saveReconciliation } from "../../shared/reconcile/persist.js";
import { reconcile } from "../../shared/reconcile/reconcile.js";
import { TableFindingEventsRepository } from "../../shared/storage/findingEvents.js";
import { TableFindingsRepository } from "../../shared/storage/findings.js";
import { runIdAt } from "../../shared/storage/keys.js";
import { testStore } from "./store.js";

const TENANT = "11111111-1111-4111-8111-111111111111";

function row(subjectId: string | null, status: FindingRow["status"] = "fail"): FindingRow {
  return { control: "mfa.admins", subjectId, status, severity: "high", detail: { subjectId } };
}

describe("reconcile + saveReconciliation against Table Storage", () => {
  it("two nights, and a re-run of the second night that changes nothing", async () => {
    const store = testStore();
    const stores = { findings: new TableFindingsRepository(store), events: new TableFindingEventsRepository(store) };
    const sweep = async (at: string, rows: FindingRow[]) => {
      const asOf = new Date(at);
      const runId = runIdAt(asOf);
      const stored = await stores.findings.listForTenant(TENANT);
      const result = reconcile({ tenantId: TENANT, runId, asOf, stored, rows, scanComplete: true });
      await saveReconciliation(stores, TENANT, result);
      return stores.events.listForRun(TENANT, runId);
    };

    const night1 = await sweep("2025-03-01T02:00:00Z", [row("a"), row("b/x"), row(null, "unknown")]);
    expect(night1.map((e) => e.event)).toEqual(["new", "new", "new"]);

    const night2Rows = [row("a"), row(null, "pass")];
    const night2 = await sweep("2025-03-02T02:00:00Z", night2Rows);
    expect(night2.map((e) => [e.subjectId, e.event]).sort()).toEqual(
      [
        ["b/x", "resolved"],
        [null, "resolved"],
      ].sort(),
    );
    const afterNight2 = await stores.findings.listForTenant(TENANT);

    expect(await sweep("2025-03-02T02:00:00Z", night2Rows)).toEqual(night2);
    expect(await stores.findings.listForTenant(TENANT)).toEqual(afterNight2);
  });
});
