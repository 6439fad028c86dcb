/**
 * The reports as their users meet them: the local Functions host serving the function table while
 * it plays App Service Authentication (signing in a principal of the test's choosing), the demo
 * tenants in the Graph simulator, and sweeps run through the real queues into the same tables.
 */
import { FUNCTIONS } from "../../functions/registry.js";
import { startLocalHttpHost, type LocalHttpHost } from "../../dev/local-host/http-host.js";
import { registerFixtureTenants, sweepHistory } from "../../dev/local-host/session.js";
import { startGraphSimulator, type GraphSimulator, type SimulatorCallerApp, type TenantFixture } from "../../dev/simulator/index.js";
import { runSweepToEnd } from "../../dev/sweep/run.js";
import { createApp, functionApp, type App } from "../../shared/app/wiring.js";
import { loadSettings } from "../../shared/config/settings.js";
import { entraPrincipal, PERSON_ROLES, type ClientPrincipal } from "../../shared/http/principal.js";
import { uniquePrefix } from "../storage/store.js";
import { simulatorSettings } from "../setup/simulator-settings.js";
import { randomSigningKeys } from "../http/harness.js";
import { callerToken, type RegisteredCaller } from "../http/ticketing-harness.js";

export const ANALYST = entraPrincipal("analyst@msp.example", [PERSON_ROLES.read, PERSON_ROLES.accept]);
export const READER = entraPrincipal("reader@msp.example", [PERSON_ROLES.read]);
/** The function key of the hosts (the ticketing API version 1). */
export const FUNCTION_KEY = "reports-test-function-key";
export const NOBODY_SPECIAL = entraPrincipal("guest@msp.example", []);

export interface ReportsHarness {
  readonly sim: GraphSimulator;
  /** The function app the handlers use (its tables). */
  readonly app: App;
  /** The host that signs in ANALYST; PUBLIC_BASE_URL is its URL (the forms' origin check). */
  readonly primary: LocalHttpHost;
  /** Every line the hosts logged (requests and the handlers' context.log). */
  readonly logs: string[];
  /** More hosts, by who they sign in: `anonymous` signs in nobody. */
  host(who: ClientPrincipal | "anonymous"): Promise<LocalHttpHost>;
  /** One sweep of every registered tenant through the queues, as of `asOf`; its run id. */
  sweep(asOf: Date): Promise<string>;
  /** Earlier sweeps, as `npm run dev` makes them for the trend. */
  history(asOf: Date, daysBefore: readonly number[]): Promise<void>;
  /** An Entra token for one of the harness's caller apps (the findings API's bearer callers). */
  tokenFor(caller: SimulatorCallerApp): Promise<string>;
  close(): Promise<void>;
}

export async function startReportsHarness(
  fixtures: readonly TenantFixture[],
  env: Record<string, string> = {},
  callers: readonly RegisteredCaller[] = [],
): Promise<ReportsHarness> {
  const sim = await startGraphSimulator({ fixtures, throttling: { enabled: false }, callerApps: callers.map((c) => c.app) });
  const prefix = uniquePrefix();
  const keys = randomSigningKeys();
  const hosts: LocalHttpHost[] = [];
  const logs: string[] = [];
  const startHost = async (who: ClientPrincipal | "anonymous") => {
    const host = await startLocalHttpHost({
      functions: FUNCTIONS,
      port: 0,
      functionKey: FUNCTION_KEY,
      log: (line) => logs.push(line),
      ...(who === "anonymous" ? {} : { signedIn: who }),
    });
    hosts.push(host);
    return host;
  };
  const primary = await startHost(ANALYST);
  Object.assign(process.env, {
    ...simulatorSettings(sim, { tablePrefix: prefix }),
    WEBSITE_AUTH_ENABLED: "True",
    API_TENANT_ID: sim.homeTenantId,
    APPROVAL_SIGNING_KEYS: `test:${Buffer.from(keys[0].secret).toString("base64")}`,
    PUBLIC_BASE_URL: primary.url,
    MAIL_SENDER: fixtures[0]?.graph["v1.0/users"]?.[0]?.userPrincipalName ?? "sender@contoso.com",
    MAIL_TENANT_ID: fixtures[0]?.tenant.id ?? "",
    ...env,
  });
  const app = functionApp();
  // Same tables, queues of its own: sweeps of other test files never take this one's messages.
  const sweeper = createApp(loadSettings(), { queuePrefix: `${prefix}-` });
  await registerFixtureTenants(app, fixtures);
  for (const { app: caller, record } of callers) await app.callers.put({ appId: caller.clientId, ...record });
  return {
    sim,
    app,
    primary,
    logs,
    host: startHost,
    sweep: (asOf) => runSweepToEnd(sweeper, { asOf, startedAt: new Date(), trigger: "manual" }),
    history: (asOf, daysBefore) => sweepHistory(sweeper, asOf, daysBefore),
    tokenFor: (caller) => callerToken(sim, caller),
    async close() {
      await Promise.all(hosts.map((h) => h.close()));
      await sim.close();
    },
  };
}
