/** readSource: a read's outcome recorded next to its data, with a reason from the closed list. */
import { GraphError } from "@microsoft/microsoft-graph-client";
import { describe, expect, it } from "vitest";
import { readSource } from "../../shared/collect/source.js";
import { NON_PREMIUM_TENANT } from "../../shared/graph/errors.js";

function graphError(status: number, code: string | null, message = "refused"): GraphError {
  const error = new GraphError(status, message);
  error.code = code;
  return error;
}

describe("readSource", () => {
  it("records the data of a read that succeeds", async () => {
    expect(await readSource(() => Promise.resolve([1, 2]))).toEqual({ ok: true, data: [1, 2] });
  });

  it.each([
    ["a licence gap", graphError(403, NON_PREMIUM_TENANT), "license"],
    ["a P2 gap", graphError(400, "AadPremiumLicenseRequired"), "license"],
    ["a missing permission", graphError(403, "Authorization_RequestDenied"), "permission"],
    ["a 403 without a code", graphError(403, null), "permission"],
    ["a server error", graphError(500, "generalException"), "error"],
  ])("records %s with Graph's code", async (_, error, reason) => {
    const source = await readSource(() => Promise.reject(error));
    expect(source).toMatchObject({ ok: false, reason });
    expect(source.ok === false && source.message).toMatch(/^Graph \d+/);
    expect(source.ok === false && source.code).toBe(error.code ?? undefined);
  });

  it("records a broken answer as an error with its message and no code", async () => {
    expect(await readSource(() => Promise.reject(new TypeError('Graph answered /domains without a "value" array')))).toEqual({
      ok: false,
      reason: "error",
      message: 'Graph answered /domains without a "value" array',
    });
  });

  it.each([
    ["Graph's 401", graphError(401, "InvalidAuthenticationToken")],
    ["a credential that cannot sign in", Object.assign(new Error("AADSTS7000215"), { name: "AuthenticationError" })],
  ])("lets %s through: nothing in the tenant is readable", async (_, error) => {
    await expect(readSource(() => Promise.reject(error))).rejects.toBe(error);
  });
});
