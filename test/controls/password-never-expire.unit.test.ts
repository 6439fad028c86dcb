import { describe, expect, it } from "vitest";
import { passwordNeverExpire, skippedDomains } from "../../shared/controls/password-never-expire.js";
import type { Domain } from "../../shared/model/snapshot.js";
import { dataOf, failed, goodSnapshot, ok, run } from "./fixture.js";

const withDomain = (domain: Partial<Domain>) => {
  const snapshot = goodSnapshot();
  const added = {
    id: "fabrikam.com",
    isVerified: true,
    isRoot: true,
    authenticationType: "Managed",
    passwordValidityPeriodInDays: 90,
    ...domain,
  };
  return { ...snapshot, domains: ok([...dataOf(snapshot.domains), added]) };
};

describe("password.never-expire", () => {
  it("has the catalog's id and severity", () => {
    expect([passwordNeverExpire.id, passwordNeverExpire.severity]).toEqual(["password.never-expire", "low"]);
  });

  it("yields no rows for the known-good tenant (null and 2147483647 both mean never)", () => {
    expect(run(passwordNeverExpire)).toEqual([]);
  });

  it("fails a managed verified domain whose passwords expire, per domain", () => {
    expect(run(passwordNeverExpire, withDomain({}))).toEqual([
      {
        control: "password.never-expire",
        subjectId: "fabrikam.com",
        status: "fail",
        severity: "low",
        detail: { passwordValidityPeriodInDays: 90 },
      },
    ]);
  });

  it("reads authenticationType case-insensitively", () => {
    expect(run(passwordNeverExpire, withDomain({ authenticationType: "managed" }))).toHaveLength(1);
  });

  it.each([
    ["federated", { authenticationType: "Federated" }],
    ["unverified", { isVerified: false }],
    ["subdomain (isRoot false: it inherits its root's policy)", { isRoot: false }],
  ])("skips %s domains and lists them for the notes", (_, patch) => {
    const snapshot = withDomain(patch);
    expect(run(passwordNeverExpire, snapshot)).toEqual([]);
    expect(skippedDomains(dataOf(snapshot.domains))).toEqual(["fabrikam.com"]);
  });

  it("reports one tenant-level unknown when domains are unreadable", () => {
    expect(run(passwordNeverExpire, { ...goodSnapshot(), domains: failed("permission", "denied") })).toEqual([
      {
        control: "password.never-expire",
        subjectId: null,
        status: "unknown",
        severity: "low",
        detail: { reason: "permission", source: "domains", message: "denied" },
      },
    ]);
  });
});
