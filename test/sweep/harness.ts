/** The whole sweep on test infrastructure: the shared Azurite, an in-process simulator, real queues. */
import { loadSettings } from "../../shared/config/settings.js";
import { buildRunReport, type RunReport } from "../../shared/sweep/report.js";
import { createApp, type App } from "../../shared/app/wiring.js";
import { runSweepToEnd } from "../../dev/sweep/run.js";
import {
  TEST_APP_CLIENT_ID,
  loadTenantFixture,
  startGraphSimulator,
  type GraphSimulator,
  type TenantFixture,
  type ThrottlingOptions,
} from "../../dev/simulator/index.js";
import { DEMO_TENANTS_DIR } from "../../dev/embedded.js";
import { uniquePrefix } from "../storage/store.js";
import { simulatorSettings } from "../setup/simulator-settings.js";
import { registerFixtureTenants } from "../../dev/local-host/session.js";
import { onboardedReport } from "../../dev/sweep/onboarded.js";

export const DEMO_AS_OF = new Date("2026-11-28T02:00:00Z");

export interface SweepHarness {
  readonly sim: GraphSimulator;
  readonly app: App;
  /** Runs one sweep over every registered tenant and returns its report. */
  sweep(asOf?: Date): Promise<RunReport>;
  close(): Promise<void>;
}

export function demoFixture(name: "fabrikam-healthy" | "contoso-messy" | "northwind-free"): Promise<TenantFixture> {
  return loadTenantFixture(`${DEMO_TENANTS_DIR}/${name}.json`);
}

export interface SweepHarnessOptions {
  /**
   * Register the tenants as checked and ready (shared/onboarding/), so their first sweep is a
   * night like any other, without the onboarding check before it: for tests that count a scan's
   * own requests and pages.
   */
  readonly onboarded?: boolean;
}

export async function startSweepHarness(
  fixtures: readonly TenantFixture[],
  throttling: Partial<ThrottlingOptions> = { enabled: false },
  options: SweepHarnessOptions = {},
): Promise<SweepHarness> {
  const sim = await startGraphSimulator({ fixtures, throttling });
  const prefix = uniquePrefix();
  const settings = loadSettings(
    simulatorSettings(sim, { tablePrefix: prefix, ...(throttling.timeScale !== undefined ? { timeScale: throttling.timeScale } : {}) }),
  );
  const app = createApp(settings, { queuePrefix: `${prefix}-` });
  await registerFixtureTenants(app, fixtures);
  if (options.onboarded)
    for (const f of fixtures) await app.tenants.setReadiness(f.tenant.id, onboardedReport(f.tenant.id, TEST_APP_CLIENT_ID));
  return {
    sim,
    app,
    async sweep(asOf = DEMO_AS_OF) {
      const runId = await runSweepToEnd(app, { asOf, startedAt: new Date(), trigger: "manual" });
      return buildRunReport(app, runId);
    },
    close: () => sim.close(),
  };
}

export function tenantReport(report: RunReport, tenantId: string) {
  const tenant = report.tenants.find((t) => t.tenantId === tenantId);
  if (!tenant) throw new Error(`tenant ${tenantId} missing from the report`);
  return tenant;
}

/** `control subject status` triples, sorted: easy to compare and to read in a diff. */
export function rowKeys(findings: readonly { control: string; subjectId: string | null; status: string }[]): string[] {
  return findings.map((f) => `${f.control} ${f.subjectId ?? "-"} ${f.status}`).sort();
}
