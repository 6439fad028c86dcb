/** Deliveries on Azurite: a claim before sending, final rows never claimed again, a stale claim taken over. */
import { describe, expect, it } from "vitest";
import { TableDeliveriesRepository } from "../../shared/storage/deliveries.js";
import { testStore } from "./store.js";

const TENANT = "11111111-1111-4111-8111-111111111111";
const RUN = "20261128T020000.000Z";
const AT = new Date("2026-11-28T02:10:00Z");
const later = (ms: number) => new Date(AT.getTime() + ms);
const request = (at: Date) => ({ sinkKind: "webhook", at, claimTtlInMs: 60_000 }) as const;

describe("TableDeliveriesRepository", () => {
  it("claims once; a second claim while the first is fresh is busy until the claim expires", async () => {
    const deliveries = new TableDeliveriesRepository(testStore());
    expect(await deliveries.claim(TENANT, RUN, "psa", request(AT))).toMatchObject({
      claimed: true,
      delivery: { attempts: 1, status: "sending" },
    });
    expect(await deliveries.claim(TENANT, RUN, "psa", request(later(1_000)))).toEqual({
      claimed: false,
      reason: "busy",
      retryAt: later(60_000),
    });
    // The first attempt died without an outcome: once its claim is stale, the next one takes it over.
    expect(await deliveries.claim(TENANT, RUN, "psa", request(later(61_000)))).toMatchObject({ claimed: true, delivery: { attempts: 2 } });
  });

  it("claims a retrying row at once, and never a delivered, skipped or dead one", async () => {
    const deliveries = new TableDeliveriesRepository(testStore());
    await deliveries.claim(TENANT, RUN, "psa", request(AT));
    await deliveries.finish(TENANT, RUN, "psa", {
      status: "retrying",
      at: AT,
      statusCode: 503,
      lastError: "HTTP 503",
      nextAttemptAt: later(30_000),
    });
    expect(await deliveries.claim(TENANT, RUN, "psa", request(later(1)))).toMatchObject({ claimed: true, delivery: { attempts: 2 } });
    await deliveries.finish(TENANT, RUN, "psa", { status: "delivered", at: later(2), statusCode: 200, eventCount: 3 });
    const claim = await deliveries.claim(TENANT, RUN, "psa", request(later(120_000)));
    expect(claim).toMatchObject({
      claimed: false,
      reason: "final",
      delivery: { status: "delivered", attempts: 2, statusCode: 200, lastError: null, eventCount: 3 },
    });
    for (const status of ["skipped", "dead"] as const) {
      await deliveries.claim(TENANT, RUN, status, request(AT));
      await deliveries.finish(TENANT, RUN, status, { status, at: AT, lastError: "why" });
      expect(await deliveries.claim(TENANT, RUN, status, request(later(120_000)))).toMatchObject({ claimed: false, reason: "final" });
    }
    expect((await deliveries.listForRun(TENANT, RUN)).map((d) => [d.sinkId, d.status])).toEqual([
      ["dead", "dead"],
      ["psa", "delivered"],
      ["skipped", "skipped"],
    ]);
  });
});
