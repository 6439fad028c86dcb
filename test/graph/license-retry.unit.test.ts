import { GraphError } from "@microsoft/microsoft-graph-client";
import { describe, expect, it } from "vitest";
import { NON_PREMIUM_TENANT } from "../../shared/graph/errors.js";
import { decideLicenseRetry, retryLicenseRefusals, type LicenseRetryInput } from "../../shared/graph/license-retry.js";

const refused: LicenseRetryInput = { attempt: 0, status: 403, code: NON_PREMIUM_TENANT, jitter: 0 };

function graphError(status: number, code: string): GraphError {
  return Object.assign(new GraphError(status, "refused"), { code });
}

describe("decideLicenseRetry", () => {
  it("asks again after Graph's licence 403, backing off exponentially", () => {
    expect([0, 1, 2].map((attempt) => decideLicenseRetry({ ...refused, attempt }))).toEqual([
      { retry: true, delayInMs: 1_000 },
      { retry: true, delayInMs: 2_000 },
      { retry: true, delayInMs: 4_000 },
    ]);
  });

  it("believes the refusal after maxRetries: the tenant has no licence", () => {
    expect(decideLicenseRetry({ ...refused, attempt: 3 })).toEqual({ retry: false });
    expect(decideLicenseRetry({ ...refused, attempt: 1 }, { maxRetries: 1 })).toEqual({ retry: false });
  });

  it("scales its waits by the Graph time scale and spreads them with jitter", () => {
    expect(decideLicenseRetry(refused, { backoffScale: 0.01 })).toEqual({ retry: true, delayInMs: 10 });
    expect(decideLicenseRetry({ ...refused, jitter: 1 })).toEqual({ retry: true, delayInMs: 1_500 });
  });

  it.each([
    ["a permission 403", { status: 403, code: "Authorization_RequestDenied" }],
    ["a 403 without a code", { status: 403, code: null }],
    ["P2's licence 400 (PIM eligibility)", { status: 400, code: "AadPremiumLicenseRequired" }],
    ["Conditional Access's licence 403", { status: 403, code: "AadPremiumLicenseRequired" }],
    ["the licence code on another status", { status: 400, code: NON_PREMIUM_TENANT }],
  ])("does not retry %s", (_, answer) => {
    expect(decideLicenseRetry({ ...refused, ...answer })).toEqual({ retry: false });
  });
});

describe("retryLicenseRefusals", () => {
  const waits: number[] = [];
  const options = {
    sleep: (ms: number) => {
      waits.push(ms);
      return Promise.resolve();
    },
    random: () => 0,
  };

  it("returns what a later attempt reads, after waiting between attempts", async () => {
    waits.length = 0;
    let calls = 0;
    const read = () => (++calls <= 2 ? Promise.reject(graphError(403, NON_PREMIUM_TENANT)) : Promise.resolve("page"));
    await expect(retryLicenseRefusals(read, options)).resolves.toBe("page");
    expect(calls).toBe(3);
    expect(waits).toEqual([1_000, 2_000]);
  });

  it("throws Graph's last licence 403 once retries are spent", async () => {
    waits.length = 0;
    const error = graphError(403, NON_PREMIUM_TENANT);
    let calls = 0;
    const read = () => {
      calls++;
      return Promise.reject(error);
    };
    await expect(retryLicenseRefusals(read, options)).rejects.toBe(error);
    expect(calls).toBe(4);
    expect(waits).toEqual([1_000, 2_000, 4_000]);
  });

  it("throws any other error at once", async () => {
    waits.length = 0;
    for (const error of [graphError(403, "Authorization_RequestDenied"), new TypeError("broken page")]) {
      await expect(retryLicenseRefusals(() => Promise.reject(error), options)).rejects.toBe(error);
    }
    expect(waits).toEqual([]);
  });
});
