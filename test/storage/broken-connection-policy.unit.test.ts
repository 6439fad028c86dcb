import { createHttpHeaders, createPipelineRequest, RestError, type PipelineResponse, type SendRequest } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { resendOnBrokenPipePolicy } from "../../shared/storage/broken-connection-policy.js";

const request = createPipelineRequest({ url: "http://127.0.0.1:10002/devstoreaccount1/Findings", method: "POST" });

/** A transport that fails with each error in turn, then answers 204. */
function failing(...errors: Error[]): { send: SendRequest; calls: () => number } {
  let calls = 0;
  const send: SendRequest = (req): Promise<PipelineResponse> => {
    const error = errors[calls++];
    return error ? Promise.reject(error) : Promise.resolve({ request: req, status: 204, headers: createHttpHeaders() });
  };
  return { send, calls: () => calls };
}

const brokenPipe = () => new RestError("write EPIPE", { code: "EPIPE" });

describe("resendOnBrokenPipePolicy", () => {
  it("sends a Table request again when writing it hit a closed socket", async () => {
    const transport = failing(brokenPipe(), brokenPipe());
    const response = await resendOnBrokenPipePolicy().sendRequest(request, transport.send);
    expect(response.status).toBe(204);
    expect(transport.calls()).toBe(3);
  });

  it("gives up after three resends, with the original error", async () => {
    const transport = failing(brokenPipe(), brokenPipe(), brokenPipe(), brokenPipe());
    await expect(resendOnBrokenPipePolicy().sendRequest(request, transport.send)).rejects.toMatchObject({ code: "EPIPE" });
    expect(transport.calls()).toBe(4);
  });

  it("leaves every other error to the SDK's own retry policy", async () => {
    const transport = failing(new RestError("getaddrinfo ENOTFOUND", { code: "ENOTFOUND" }));
    await expect(resendOnBrokenPipePolicy().sendRequest(request, transport.send)).rejects.toMatchObject({ code: "ENOTFOUND" });
    expect(transport.calls()).toBe(1);
  });
});
