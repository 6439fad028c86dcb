/** The SDK's PageIterator walks a 100,000-user tenant at $top=999 (throttling off). */
import { PageIterator, type PageCollection } from "@microsoft/microsoft-graph-client";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startGraphSimulator, type GraphSimulator } from "../../dev/simulator/index.js";
import { sdkClient } from "./helpers/clients.js";
import { TENANT_A, tenantFixture } from "./helpers/fixtures.js";

const USER_COUNT = 100_000;
let sim: GraphSimulator;

beforeAll(async () => {
  // Cheap objects built inline: the id encodes the index so the test can check coverage.
  const users = Array.from({ length: USER_COUNT }, (_, n) => ({
    id: `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`,
    userPrincipalName: `u${n}@big.example.com`,
    accountEnabled: n % 10 !== 0,
  }));
  sim = await startGraphSimulator({ fixtures: [tenantFixture({ graph: { "v1.0/users": users } })], throttling: { enabled: false } });
}, 60_000);
afterAll(() => sim.close());

it("pages 100,000 users with $top=999 and sees every one exactly once", async () => {
  const client = sdkClient(sim, TENANT_A);
  const started = performance.now();
  const first = (await client.api("/users").select("id,accountEnabled").top(999).get()) as PageCollection;
  const seen = new Uint8Array(USER_COUNT);
  let count = 0;
  const iterator = new PageIterator(client, first, (user: { id: string }) => {
    const index = parseInt(user.id.slice(-12), 16);
    seen[index] = (seen[index] ?? 0) + 1;
    count++;
    return true;
  });
  await iterator.iterate();
  const elapsedMs = performance.now() - started;
  expect(count).toBe(USER_COUNT);
  expect(seen.every((times) => times === 1)).toBe(true);
  expect(sim.tenant(TENANT_A).counters.requests).toBe(Math.ceil(USER_COUNT / 999));
  expect(elapsedMs).toBeLessThan(20_000);
}, 60_000);
