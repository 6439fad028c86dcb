/** graphErrorFrom: Graph's error body (HTTP response or $batch item) → GraphError, malformed bodies included. */
import { describe, expect, it } from "vitest";
import { describeError, graphErrorFrom, isGraphError, unavailableReason } from "../../shared/graph/errors.js";

const GRAPH_BODY = {
  error: {
    code: "Authorization_RequestDenied",
    message: "Insufficient privileges to complete the operation.",
    innerError: { date: "2026-11-28T02:00:00", "request-id": "4f6c1b0e-1d2a-4b3c-9d8e-7f6a5b4c3d2e", "client-request-id": "c1" },
  },
};

describe("graphErrorFrom", () => {
  it("reads status, code, message, request id and date from Graph's body as JSON text", () => {
    const e = graphErrorFrom({
      status: 403,
      body: JSON.stringify(GRAPH_BODY),
      headers: new Headers({ "request-id": "from-header" }),
      fallbackMessage: "Forbidden",
    });
    expect(isGraphError(e)).toBe(true);
    expect(e).toMatchObject({
      statusCode: 403,
      code: "Authorization_RequestDenied",
      message: "Insufficient privileges to complete the operation.",
      requestId: "4f6c1b0e-1d2a-4b3c-9d8e-7f6a5b4c3d2e",
    });
    expect(e.date).toEqual(new Date("2026-11-28T02:00:00"));
    expect(e.headers?.get("request-id")).toBe("from-header");
    expect(JSON.parse(e.body as string)).toEqual(GRAPH_BODY);
    expect(unavailableReason(e)).toBe("permission");
    expect(describeError(e)).toBe(
      "Graph 403: Authorization_RequestDenied: Insufficient privileges to complete the operation.: request-id 4f6c1b0e-1d2a-4b3c-9d8e-7f6a5b4c3d2e",
    );
  });

  it("reads a $batch item's parsed body and its plain-object headers (any case)", () => {
    const e = graphErrorFrom({
      status: 400,
      body: { error: { code: "AadPremiumLicenseRequired", message: "P2 needed" } },
      headers: { "Request-Id": "r-9" },
      fallbackMessage: "item failed",
    });
    expect(e).toMatchObject({ statusCode: 400, code: "AadPremiumLicenseRequired", message: "P2 needed", requestId: "r-9" });
    expect(unavailableReason(e)).toBe("license");
  });

  it.each([
    ["no body", undefined],
    ["an empty body", ""],
    ["text that is not JSON", "<html>Bad Gateway</html>"],
    ["JSON null", "null"],
    ["an array", "[1,2]"],
    ["no error member", JSON.stringify({ value: [] })],
    ["error as a string", JSON.stringify({ error: "denied" })],
    ["error as an array", { error: ["Authorization_RequestDenied"] }],
    [
      "code and message of the wrong types",
      { error: { code: 403, message: { text: "no" }, innerError: { "request-id": 7, date: "not a date" } } },
    ],
    ["innerError as a string", { error: { innerError: "request-id: x" } }],
  ])("never takes a field Graph did not send as documented: %s", (_, body) => {
    const before = Date.now();
    const e = graphErrorFrom({ status: 502, body, headers: { "request-id": "from-header" }, fallbackMessage: "Bad Gateway" });
    expect(e).toMatchObject({ statusCode: 502, code: null, message: "Bad Gateway", requestId: "from-header" });
    expect(e.date.getTime()).toBeGreaterThanOrEqual(before);
    expect(unavailableReason(e)).toBe("error");
  });

  it("keeps a body that is not JSON as it came, for debugging", () => {
    expect(graphErrorFrom({ status: 502, body: "<html>Bad Gateway</html>", fallbackMessage: "Bad Gateway" }).body).toBe(
      "<html>Bad Gateway</html>",
    );
  });

  it("has no request id when neither the body nor the headers carry one", () => {
    expect(
      graphErrorFrom({ status: 500, body: { error: { code: "generalException", message: "boom" } }, fallbackMessage: "x" }).requestId,
    ).toBeNull();
  });
});
