/**
 * The ticketing API (version 2) as a ticketing system meets it: the local Functions host serving the
 * function table, the Graph simulator as Entra ID (caller apps get real RS256 tokens from its token
 * endpoint, the product finds its keys through OpenID discovery), and a client generated from the
 * OpenAPI document (openapi-fetch) that checks every response against the document.
 */
import createClient, { type Client } from "openapi-fetch";
import { FUNCTIONS } from "../../functions/registry.js";
import { startLocalHttpHost, type LocalHttpHost } from "../../dev/local-host/http-host.js";
import type { paths } from "../../openapi/remediations-api.generated.js";
import type { CallerRecord } from "../../shared/storage/callers.js";
import {
  startGraphSimulator,
  TEST_APP_CLIENT_ID,
  type GraphSimulator,
  type SimulatorCallerApp,
  type TenantFixture,
} from "../../dev/simulator/index.js";
import { functionApp, type App } from "../../shared/app/wiring.js";
import { registerFixtureTenants } from "../../dev/local-host/session.js";
import { uniquePrefix } from "../storage/store.js";
import { simulatorSettings } from "../setup/simulator-settings.js";
import { randomSigningKeys } from "./harness.js";
import { contractViolations } from "./openapi-contract.js";

export type TicketingClient = Client<paths>;

export interface TicketingHarness {
  readonly sim: GraphSimulator;
  readonly app: App;
  readonly host: LocalHttpHost;
  /** Every contract violation seen in a response (a test asserts it stays empty). */
  readonly violations: string[];
  /** Everything the handlers logged. */
  readonly logs: string[];
  /** A token from the simulator's token endpoint, for a caller app of `callerApps`. */
  tokenFor(caller: SimulatorCallerApp): Promise<string>;
  /** A generated client that sends `token` (or nothing) and checks each answer against the document. */
  client(token?: string): TicketingClient;
  close(): Promise<void>;
}

export function callerApp(clientId: string, roles: readonly string[]): SimulatorCallerApp {
  return { clientId, clientSecret: `secret-of-${clientId}`, roles };
}

/** A token from the simulator's token endpoint (client credentials), as `caller` gets one for tenant-patrol's API. */
export async function callerToken(sim: GraphSimulator, caller: SimulatorCallerApp): Promise<string> {
  const response = await fetch(`${sim.authorityHost}/${sim.homeTenantId}/oauth2/v2.0/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: caller.clientId,
      client_secret: caller.clientSecret,
      scope: `api://${TEST_APP_CLIENT_ID}/.default`,
    }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`no token for ${caller.clientId}: ${JSON.stringify(body)}`);
  return body.access_token;
}

/** A caller app the simulator issues tokens to, and its row in the Callers table. */
export interface RegisteredCaller {
  readonly app: SimulatorCallerApp;
  readonly record: Omit<CallerRecord, "appId">;
}

export async function startTicketingHarness(
  fixtures: readonly TenantFixture[],
  callers: readonly RegisteredCaller[],
): Promise<TicketingHarness> {
  const sim = await startGraphSimulator({ fixtures, throttling: { enabled: false }, callerApps: callers.map((c) => c.app) });
  const keys = randomSigningKeys();
  Object.assign(process.env, {
    ...simulatorSettings(sim, { tablePrefix: uniquePrefix() }),
    API_TENANT_ID: sim.homeTenantId,
    APPROVAL_SIGNING_KEYS: `test:${Buffer.from(keys[0].secret).toString("base64")}`,
    PUBLIC_BASE_URL: "http://localhost:7071",
    MAIL_SENDER: fixtures[0]?.graph["v1.0/users"]?.[0]?.userPrincipalName ?? "sender@contoso.com",
    MAIL_TENANT_ID: fixtures[0]?.tenant.id ?? "",
  });
  const app = functionApp();
  await registerFixtureTenants(app, fixtures);
  for (const { app: caller, record } of callers) await app.callers.put({ appId: caller.clientId, ...record });
  const logs: string[] = [];
  const host = await startLocalHttpHost({ functions: FUNCTIONS, port: 0, log: (line) => logs.push(line) });
  const violations: string[] = [];

  return {
    sim,
    app,
    host,
    violations,
    logs,
    tokenFor: (caller) => callerToken(sim, caller),
    client(token) {
      const client = createClient<paths>({
        baseUrl: `${host.url}/api`,
        ...(token ? { headers: { Authorization: `Bearer ${token}` } } : {}),
      });
      client.use({
        async onResponse({ request, response, schemaPath }) {
          const text = await response.clone().text();
          const body: unknown = text === "" ? undefined : JSON.parse(text);
          violations.push(...contractViolations(schemaPath, request.method, response.status, response.headers.get("content-type"), body));
        },
      });
      return client;
    },
    async close() {
      await host.close();
      await sim.close();
    },
  };
}
