/**
 * What the scale benchmark relies on: the limits that bound a sweep (signInActivity 10 a minute
 * per tenant, reports 122 per 10 s per app across tenants) and their floors, per-user
 * authentication methods (the naive baseline's calls), and serving generated fleets unvalidated.
 */
import { afterEach, describe, expect, it } from "vitest";
import { generateTenantFixture } from "../../dev/fixtures/generate.js";
import { ManualClock, startGraphSimulator, TEST_APP, type GraphSimulator, type TenantFixture } from "../../dev/simulator/index.js";
import { ThrottleModel } from "../../dev/simulator/throttling/throttle-model.js";
import { raw } from "./helpers/clients.js";

const report = { resourceUnits: 1, kinds: ["reports"] as const };
const signIn = { resourceUnits: 1, kinds: ["signInActivity"] as const };
const tenant = (n: number) => ({ tenantId: `t${n}`, userCount: 1000, appId: "app" });

describe("limits that bound a sweep", () => {
  it("shares 122 reports requests per 10 s between all tenants of an app, and knows the floor", () => {
    const clock = new ManualClock();
    const model = new ThrottleModel({ enabled: true, timeScale: 1 }, clock);
    // Two requests from each of 61 tenants: under every per-tenant limit, at the app-wide one.
    for (let i = 0; i < 122; i++) expect(model.decide(tenant(i % 61), report).allowed).toBe(true);
    expect(model.decide(tenant(99), report)).toMatchObject({ allowed: false, scope: "Application/Reports/app", limitId: "reports-app" });
    expect(model.decide({ ...tenant(99), appId: "other-app" }, report).allowed).toBe(true);
    clock.advance(10_000);
    for (let i = 0; i < 61; i++) expect(model.decide(tenant(200 + i), report).allowed).toBe(true);
    // 183 accepted against 122 per 10 s: 61 more at 12.2/s = 5 s at least.
    expect(model.appStats("app").minimalWaitMs).toBeCloseTo(5_000);
    expect(model.appStats("app").throttled).toBe(1);
    expect(model.stats("t0").limits.map((l) => l.limitId)).toEqual(["reports-app-tenant"]);
  });

  it("allows 10 sign-in activity pages per minute per tenant, and 20 pages take a minute at least", () => {
    const model = new ThrottleModel({ enabled: true, timeScale: 1 }, new ManualClock());
    for (let i = 0; i < 10; i++) expect(model.decide(tenant(1), signIn).allowed).toBe(true);
    expect(model.decide(tenant(1), signIn)).toMatchObject({ allowed: false, scope: "Tenant/SignInActivity/t1", retryAfterSeconds: 6 });
    expect(model.decide(tenant(2), signIn).allowed).toBe(true);
    const counting = new ThrottleModel({ enabled: false, timeScale: 1 }, new ManualClock());
    for (let i = 0; i < 20; i++) counting.decide(tenant(1), signIn);
    expect(counting.stats("t1").minimalWaitMs).toBeCloseTo(60_000);
  });
});

describe("the simulator", () => {
  let sim: GraphSimulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it("lists a user's authentication methods from their registration, one identity request per user", async () => {
    const fixture = generateTenantFixture({ users: 60, license: "p1", seed: 2, asOf: new Date("2026-11-28T02:00:00Z") });
    sim = await startGraphSimulator({ fixtures: [fixture], throttling: { enabled: false } });
    const registrations = fixture.graph["v1.0/reports/authenticationMethods/userRegistrationDetails"] ?? [];
    const withMethods = registrations.find((r) => (r.methodsRegistered?.length ?? 0) > 0);
    if (!withMethods?.id) throw new Error("fixture has no registered methods");
    // Listing methods needs UserAuthenticationMethod.Read.All, which tenant-patrol never asks for.
    const reader = { token: sim.mintToken(fixture.tenant.id, { roles: ["UserAuthenticationMethod.Read.All"] }) };
    const response = await raw(sim, fixture.tenant.id, `v1.0/users/${withMethods.id}/authentication/methods`, reader);
    expect(response.status).toBe(200);
    const types = response.json.value.map((m) => m["@odata.type"]);
    expect(types[0]).toBe("#microsoft.graph.passwordAuthenticationMethod");
    expect(types.length).toBeGreaterThan(1);
    expect(response.json.value.every((m) => /^[0-9a-f-]{36}$/.test(m.id))).toBe(true);
    expect(sim.tenant(fixture.tenant.id).requests.at(-1)).toMatchObject({
      path: `v1.0/users/${withMethods.id}/authentication/methods`,
      resourceUnits: 1,
    });
    expect(
      (await raw(sim, fixture.tenant.id, "v1.0/users/00000000-0000-4000-8000-000000000000/authentication/methods", reader)).status,
    ).toBe(404);
  });

  it("serves generated fixtures without validating them when told to trust them", async () => {
    const fixture = generateTenantFixture({ users: 20, license: "free", seed: 3, asOf: new Date("2026-11-28T02:00:00Z") });
    const broken = { ...fixture, graph: { ...fixture.graph, "v1.0/users": [{ id: "not-a-user" }] } } as unknown as TenantFixture;
    await expect(startGraphSimulator({ fixtures: [broken] })).rejects.toThrow(/userPrincipalName/);
    sim = await startGraphSimulator({ fixtures: [], trustFixtures: true });
    await sim.addTenant(fixture);
    expect((await raw(sim, fixture.tenant.id, "v1.0/users?$top=5")).json.value).toHaveLength(5);
    expect(sim.appThrottling(TEST_APP.clientId).minimalWaitMs).toBe(0);
  });
});
