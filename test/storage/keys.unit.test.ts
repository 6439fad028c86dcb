import { describe, expect, it } from "vitest";
import {
  TENANT_SUBJECT_MARKER,
  assertKeySafe,
  decodeKeyPart,
  descendingRunKey,
  encodeKeyPart,
  findingEventRange,
  findingEventRowKey,
  findingRowKey,
  runIdAt,
} from "../../shared/storage/keys.js";

// eslint-disable-next-line no-control-regex -- the characters Table Storage forbids in keys
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f/\\#?]/;
const HOSTILE = [
  "a/b",
  "a\\b",
  "#hash",
  "what?",
  "tab\there",
  "\u0000\u007f\u0085",
  "100%_done",
  "émoji 😀 日本",
  "a|b",
  "@tenant",
  "'quoted'",
  "",
];

describe("encodeKeyPart", () => {
  it.each(HOSTILE)("round-trips %j and emits only key-safe characters", (value) => {
    const encoded = encodeKeyPart(value);
    expect(encoded).not.toMatch(FORBIDDEN);
    expect(encoded).not.toContain("|");
    expect(decodeKeyPart(encoded)).toBe(value);
  });

  it("leaves GUIDs, domains and control ids readable", () => {
    for (const id of ["6f1c2b1e-0000-4000-8000-000000000001", "contoso.onmicrosoft.com", "accounts.inactive-30"]) {
      expect(encodeKeyPart(id)).toBe(id);
    }
  });

  it("never produces the tenant-level marker", () => {
    expect(encodeKeyPart(TENANT_SUBJECT_MARKER)).not.toBe(TENANT_SUBJECT_MARKER);
  });

  it("rejects text it cannot have produced", () => {
    expect(() => decodeKeyPart("a/b")).toThrow(RangeError);
    expect(() => decodeKeyPart("_ZZ")).toThrow(RangeError);
    expect(() => decodeKeyPart("_FF")).toThrow(RangeError);
  });
});

describe("row keys", () => {
  it("tells a tenant-level finding from a subject literally named like the marker", () => {
    expect(findingRowKey("mfa.admins", null)).not.toBe(findingRowKey("mfa.admins", TENANT_SUBJECT_MARKER));
  });

  it("puts a run's events in one key range", () => {
    const runId = runIdAt(new Date("2025-03-02T02:00:00Z"));
    const { from, to } = findingEventRange(runId);
    const key = findingEventRowKey(runId, "mfa.admins", "x/y?");
    expect(key > from && key < to).toBe(true);
    const nextRun = findingEventRowKey(runIdAt(new Date("2025-03-02T02:00:00.001Z")), "mfa.admins", null);
    expect(nextRun >= to).toBe(true);
  });

  it("refuses keys over the length limit", () => {
    expect(() => findingRowKey("mfa.admins", "é".repeat(100))).toThrow(RangeError);
  });

  it("checks ids used as keys verbatim", () => {
    expect(() => assertKeySafe("6f1c2b1e-0000-4000-8000-000000000001", "tenantId")).not.toThrow();
    for (const bad of ["", "a/b", "a#b", "a?b", "a\\b", "a\nb"]) expect(() => assertKeySafe(bad, "tenantId")).toThrow(RangeError);
  });
});

describe("run ids", () => {
  it("are compact UTC ISO and sort like time", () => {
    const dates = ["2024-12-31T23:59:59.999Z", "2025-01-01T00:00:00Z", "2025-01-01T00:00:00.001Z", "2025-10-01T02:00:00Z"];
    const ids = dates.map((d) => runIdAt(new Date(d)));
    expect(ids[1]).toBe("20250101T000000.000Z");
    expect([...ids].sort()).toEqual(ids);
  });

  it("descendingRunKey reverses the order and is its own inverse", () => {
    const ids = ["2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z", "2026-01-01T00:00:00Z"].map((d) => runIdAt(new Date(d)));
    const keys = ids.map(descendingRunKey);
    expect([...keys].sort()).toEqual([...keys].reverse());
    expect(keys.map(descendingRunKey)).toEqual(ids);
  });

  it("rejects anything else", () => {
    expect(() => descendingRunKey("2025-01-01")).toThrow(RangeError);
  });
});
