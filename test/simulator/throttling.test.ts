/** Throttling over the wire: 429 shape, Retry-After (or none), time scale, the SDK recovering. */
import type { PageCollection } from "@microsoft/microsoft-graph-client";
import { afterEach, describe, expect, it } from "vitest";
import {
  ManualClock,
  startGraphSimulator,
  TEST_APP_CLIENT_ID,
  type GraphSimulator,
  type ThrottlingOptions,
} from "../../dev/simulator/index.js";
import { raw, sdkClient } from "./helpers/clients.js";
import { TENANT_A, tenantFixture, user, userId, users } from "./helpers/fixtures.js";

const REPORT = "v1.0/reports/authenticationMethods/userRegistrationDetails";
const fixture = tenantFixture({
  graph: {
    "v1.0/users": users(3, (n) => ({ signInActivity: { lastSignInDateTime: `2024-0${n + 1}-01T00:00:00Z` } })),
    [REPORT]: [{ id: userId(0), userPrincipalName: "user0@contoso.com", userDisplayName: "User 0", isMfaRegistered: true }],
    "v1.0/identity/conditionalAccess/policies": [],
  },
});

let sim: GraphSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(throttling: Partial<ThrottlingOptions>, clock?: ManualClock): Promise<GraphSimulator> {
  sim = await startGraphSimulator({ fixtures: [fixture], throttling, ...(clock ? { clock } : {}) });
  return sim;
}

describe("reports limit: 5 requests per 10 s per app and tenant", () => {
  it("answers the 6th with Graph's 429: Retry-After, scope, information and body", async () => {
    const clock = new ManualClock();
    const s = await start({ enabled: true, timeScale: 1 }, clock);
    for (let i = 0; i < 5; i++) expect((await raw(s, TENANT_A, REPORT)).status).toBe(200);
    const refused = await raw(s, TENANT_A, REPORT);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("2");
    expect(refused.headers.get("x-ms-throttle-scope")).toBe(`Tenant_Application/Reports/${TEST_APP_CLIENT_ID}/${TENANT_A}`);
    expect(refused.headers.get("x-ms-throttle-information")).toBe("RequestLimitExceeded");
    expect(refused.json.error).toMatchObject({
      code: "TooManyRequests",
      message: "Please retry again later.",
      innerError: { code: "429", message: "Please retry after", status: "429", "request-id": refused.headers.get("request-id") },
    });
    clock.advance(2_000);
    expect((await raw(s, TENANT_A, REPORT)).status).toBe(200);
    const tenant = s.tenant(TENANT_A);
    expect(tenant.counters).toMatchObject({ requests: 7, tooManyRequests: 1, throttled: 1 });
    expect(tenant.requests[5]).toMatchObject({ status: 429, throttled: true, retryAfter: "2" });
    expect(tenant.throttling.retryAfterTotalMs).toBe(2_000);
  });

  it("shrinks windows and Retry-After with the time scale", async () => {
    const clock = new ManualClock();
    const s = await start({ enabled: true, timeScale: 0.01 }, clock);
    for (let i = 0; i < 5; i++) await raw(s, TENANT_A, REPORT);
    expect((await raw(s, TENANT_A, REPORT)).headers.get("retry-after")).toBe("0.02");
    clock.advance(20);
    expect((await raw(s, TENANT_A, REPORT)).status).toBe(200);
    // 6 accepted against 5 per 10 s: 2 s simulated = 20 ms real.
    expect(s.tenant(TENANT_A).throttling.minimalWaitMs).toBeCloseTo(20);
  });

  it("lets the SDK's RetryHandler recover by honouring Retry-After (time-scaled, real clock)", async () => {
    // 0.1: the 10 s window lasts 1 s, faster than eight requests can refill it; Retry-After 0.2 s.
    const s = await start({ enabled: true, timeScale: 0.1 });
    const client = sdkClient(s, TENANT_A);
    for (let i = 0; i < 8; i++)
      expect(((await client.api("/reports/authenticationMethods/userRegistrationDetails").get()) as PageCollection).value).toHaveLength(1);
    const statuses = s.tenant(TENANT_A).requests.map((r) => r.status);
    expect(statuses.filter((st) => st === 429).length).toBeGreaterThan(0);
    expect(statuses.filter((st) => st === 200)).toHaveLength(8);
  });

  it("is off when throttling is disabled", async () => {
    const s = await start({ enabled: false });
    const statuses = await Promise.all(Array.from({ length: 20 }, () => raw(s, TENANT_A, REPORT).then((r) => r.status)));
    expect(new Set(statuses)).toEqual(new Set([200]));
  });
});

describe("Conditional Access: 1 request per second per tenant", () => {
  it("answers 429 without Retry-After", async () => {
    const clock = new ManualClock();
    const s = await start({ enabled: true, timeScale: 1 }, clock);
    expect((await raw(s, TENANT_A, "v1.0/identity/conditionalAccess/policies")).status).toBe(200);
    const refused = await raw(s, TENANT_A, "v1.0/identity/conditionalAccess/policies");
    expect(refused.status).toBe(429);
    expect(refused.headers.has("retry-after")).toBe(false);
    expect(refused.json.error.code).toBe("TooManyRequests");
    clock.advance(1_000);
    expect((await raw(s, TENANT_A, "v1.0/identity/conditionalAccess/policies")).status).toBe(200);
  });
});

describe("signInActivity: 10 requests per minute per tenant", () => {
  it("refuses listing users with signInActivity past 10 a minute even when paced for the reports limit", async () => {
    const clock = new ManualClock();
    const s = await start({ enabled: true, timeScale: 1 }, clock);
    let accepted = 0;
    for (; accepted < 30; accepted++) {
      const response = await raw(s, TENANT_A, "v1.0/users?$select=id,signInActivity");
      if (response.status === 429) {
        expect(response.headers.get("x-ms-throttle-scope")).toBe(`Tenant/SignInActivity/${TENANT_A}`);
        break;
      }
      clock.advance(2_000); // one reports token per 2 s: never the reports limit
    }
    // 10 per minute refills one every 6 s; a request every 2 s drains 2/3 of a token each time:
    // before request k there are 10 − 2k/3 tokens, so requests 0–13 pass and the 15th is refused.
    expect(accepted).toBe(14);
  });
});

describe("identity limit: resource units per 10 s per app and tenant", () => {
  it("costs GET users 2 RU, warns above 80 % and refuses at 3,500 RU for a small tenant", async () => {
    const clock = new ManualClock();
    const s = await start({ enabled: true, timeScale: 1 }, clock);
    const responses = [];
    for (let batch = 0; batch < 1_760 / 40; batch++) {
      responses.push(...(await Promise.all(Array.from({ length: 40 }, () => raw(s, TENANT_A, "v1.0/users")))));
    }
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((st) => st === 200)).toHaveLength(1_750);
    expect(statuses.filter((st) => st === 429)).toHaveLength(10);
    const refused = responses.find((r) => r.status === 429);
    expect(refused?.headers.get("x-ms-throttle-information")).toBe("ResourceUnitLimitExceeded");
    expect(refused?.headers.get("x-ms-throttle-scope")).toBe(`Tenant_Application/ReadWrite/${TEST_APP_CLIENT_ID}/${TENANT_A}`);
    expect(refused?.headers.get("retry-after")).toBe("0.006"); // 2 RU at 350 RU/s
    const warned = responses.filter((r) => r.headers.has("x-ms-throttle-limit-percentage"));
    expect(warned.length).toBe(1_750 - 1_400);
    expect(responses.every((r) => r.headers.get("x-ms-resource-unit") === "2")).toBe(true);
  });

  it.each([
    ["v1.0/users", "2"],
    ["v1.0/users?$select=id", "1"],
    ["v1.0/users?$top=5", "1"],
    [`v1.0/users/${userId(1)}`, "2"],
    ["v1.0/roleManagement/directory/roleAssignments?$expand=principal", "2"],
    ["v1.0/domains", "1"],
  ])("charges %s %s RU", async (path, units) => {
    const s = await start({ enabled: true });
    expect((await raw(s, TENANT_A, path)).headers.get("x-ms-resource-unit")).toBe(units);
  });
});

describe("per-tenant throttling state", () => {
  it("keeps tenants apart and resets with the tenant", async () => {
    const clock = new ManualClock();
    const other = tenantFixture({ id: "cccccccc-0000-4000-8000-00000000000c", graph: { "v1.0/users": [user(1)], [REPORT]: [] } });
    sim = await startGraphSimulator({ fixtures: [fixture, other], throttling: { enabled: true }, clock });
    for (let i = 0; i < 6; i++) await raw(sim, TENANT_A, REPORT);
    expect((await raw(sim, "cccccccc-0000-4000-8000-00000000000c", REPORT)).status).toBe(200);
    sim.tenant(TENANT_A).reset();
    expect(sim.tenant(TENANT_A).counters.requests).toBe(0);
    expect((await raw(sim, TENANT_A, REPORT)).status).toBe(200);
  });
});
