import { describe, expect, it } from "vitest";
import type { FindingEvent } from "../../shared/model/stored.js";
import { TableFindingEventsRepository } from "../../shared/storage/findingEvents.js";
import { runIdAt } from "../../shared/storage/keys.js";
import { testStore } from "./store.js";

const TENANT = "11111111-1111-4111-8111-111111111111";
const NIGHT1 = new Date("2025-03-01T02:00:00Z");
const NIGHT2 = new Date("2025-03-02T02:00:00Z");

function event(at: Date, overrides: Partial<FindingEvent> = {}): FindingEvent {
  return {
    runId: runIdAt(at),
    control: "mfa.admins",
    subjectId: "user-1",
    event: "new",
    statusBefore: null,
    statusAfter: "fail",
    at,
    ...overrides,
  };
}

describe("TableFindingEventsRepository", () => {
  it("lists exactly one run's events for one tenant", async () => {
    const events = new TableFindingEventsRepository(testStore());
    const night2 = [
      event(NIGHT2, { subjectId: "a/b#c?", event: "resolved", statusBefore: "fail", statusAfter: "pass" }),
      event(NIGHT2, { control: "apps.user-consent", subjectId: null, event: "changed", statusBefore: "fail", statusAfter: "unknown" }),
    ];
    await events.write(TENANT, [event(NIGHT1), ...night2]);
    await events.write("22222222-2222-4222-8222-222222222222", [event(NIGHT2)]);

    const listed = await events.listForRun(TENANT, runIdAt(NIGHT2));
    expect(listed).toHaveLength(2);
    expect(listed).toEqual(expect.arrayContaining(night2));
    expect(await events.listForRun(TENANT, runIdAt(NIGHT1))).toEqual([event(NIGHT1)]);
    expect(await events.listForRun(TENANT, runIdAt(new Date("2025-03-03T02:00:00Z")))).toEqual([]);
  });

  it("rewriting a run's events overwrites them instead of duplicating", async () => {
    const events = new TableFindingEventsRepository(testStore());
    const written = Array.from({ length: 150 }, (_, i) => event(NIGHT1, { subjectId: `user-${i}` }));
    expect(await events.write(TENANT, written)).toBe(2);
    expect(await events.write(TENANT, written)).toBe(2);
    expect(await events.listForRun(TENANT, runIdAt(NIGHT1))).toHaveLength(150);
  });
});
