/**
 * The permission manifest lists every Graph call the code makes: a full sweep of the demo tenants
 * (digest emails included) and every remediation with its undo run against the simulator, and each
 * request in its log must be an instance of a manifest entry.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { registerFixtureTenants } from "../../dev/local-host/session.js";
import { runSweepToEnd } from "../../dev/sweep/run.js";
import { startGraphSimulator, type GraphSimulator } from "../../dev/simulator/index.js";
import { loadSettings } from "../../shared/config/settings.js";
import { matchGraphCall } from "../../shared/graph/permission-manifest.js";
import { remediate, undo } from "../../shared/remediation/remediate.js";
import type { RemediationRequest } from "../../shared/model/remediation.js";
import { createApp, type App } from "../../shared/app/wiring.js";
import { simulatorSettings } from "../setup/simulator-settings.js";
import { uniquePrefix } from "../storage/store.js";
import { DEMO_AS_OF, demoFixture } from "../sweep/harness.js";

const CONTOSO = "db7e339f-4fdd-5d4e-8778-ad3eb108a2f9";
const PEOPLE = {
  enrico: "91cbee10-7d58-51d9-b27f-68150da6fb60", // inactive-90
  isaiah: "91321ff0-0752-5c10-a3df-f9d00f053262", // GA, not registered
  megan: "589464b4-da21-5327-b218-62aba773345c", // GA, registered, not enforced
};

let sim: GraphSimulator;
let app: App;

beforeAll(async () => {
  const fixtures = await Promise.all((["fabrikam-healthy", "contoso-messy", "northwind-free"] as const).map(demoFixture));
  sim = await startGraphSimulator({ fixtures, throttling: { enabled: false } });
  const prefix = uniquePrefix();
  const settings = loadSettings({
    ...simulatorSettings(sim, { tablePrefix: prefix }),
    APPROVAL_SIGNING_KEYS: `k1:${randomBytes(32).toString("base64")}`,
    PUBLIC_BASE_URL: "http://localhost:7071",
    MAIL_SENDER: "patrol@contoso.com",
  });
  app = createApp(settings, { queuePrefix: `${prefix}-` });
  await registerFixtureTenants(app, fixtures);
});
afterAll(() => sim.close());

it("every request of a sweep, the digests and every remediation and undo is in the manifest", async () => {
  await runSweepToEnd(app, { asOf: DEMO_AS_OF, startedAt: new Date(), trigger: "manual" });
  const record = await app.tenants.get(CONTOSO);
  if (!record) throw new Error("Contoso is not registered");
  // Stored, not only passed: each attempt re-reads the tenant's record under its lease.
  const tenant = { ...record, config: { ...record.config, remediation: { blockUnregisteredAdmins: true } } };
  await app.tenants.upsert(tenant);
  const requests: Omit<RemediationRequest, "tenantId" | "channel" | "requestedBy">[] = [
    { action: "block-account", control: "accounts.inactive-90", subjectId: PEOPLE.enrico },
    { action: "block-account", control: "mfa.admins", subjectId: PEOPLE.isaiah },
    { action: "enforce-mfa", control: "mfa.admins", subjectId: PEOPLE.megan },
    { action: "disable-user-consent", control: "apps.user-consent", subjectId: null },
    { action: "set-password-never-expire", control: "password.never-expire", subjectId: "contosolabs.com" },
  ];
  for (const request of requests) {
    const deps = app.remediationFor(tenant);
    const result = await remediate(deps, { tenantId: CONTOSO, channel: "api", requestedBy: "manifest test", ...request }, DEMO_AS_OF);
    expect(result.outcome, `${request.action}: ${result.message}`).toBe("done");
    const undone = await undo(deps, { tenantId: CONTOSO, auditId: result.auditId, channel: "api", requestedBy: "manifest test" });
    expect(undone.outcome, `undo of ${request.action}: ${undone.message}`).toBe("done");
  }

  const unlisted = sim.requests
    .map((entry) => {
      const [version = "", ...rest] = entry.path.split("/");
      const select = (entry.query.$select ?? "").split(",");
      return matchGraphCall(entry.method, version, rest.join("/"), select) ? null : `${entry.method} ${entry.path}`;
    })
    .filter((call): call is string => call !== null);
  expect([...new Set(unlisted)]).toEqual([]);
  // The run really covered reads, writes and mail.
  const methods = new Set(sim.requests.map((entry) => `${entry.method} ${entry.path.split("/").slice(0, 2).join("/")}`));
  expect(methods).toContain("POST v1.0/users");
  expect(methods).toContain("PATCH v1.0/domains");
});
