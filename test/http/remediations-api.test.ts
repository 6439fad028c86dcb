import functionsRuntime from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleGetRemediation, handleRequestRemediation, handleUndoRemediation } from "../../functions/remediations-api.js";
import { demoFixture, startSweepHarness, type SweepHarness } from "../sweep/harness.js";

const { HttpRequest, InvocationContext } = functionsRuntime;
const CONTOSO = "db7e339f-4fdd-5d4e-8778-ad3eb108a2f9";
const ENRICO = "91cbee10-7d58-51d9-b27f-68150da6fb60"; // inactive 270 days (dev/fixtures/tenants/README.md)

function post(route: string, params: Record<string, string>, body: unknown) {
  return new HttpRequest({
    method: "POST",
    url: `http://localhost/api/${route}`,
    params,
    body: { string: typeof body === "string" ? body : JSON.stringify(body) },
  });
}

describe("the ticketing API", () => {
  let h: SweepHarness;
  beforeAll(async () => {
    h = await startSweepHarness([await demoFixture("contoso-messy")]);
  });
  afterAll(() => h.close());

  it("blocks an inactive account, reports it, and undoes it, each attempt audited as channel api", async () => {
    const requested = await handleRequestRemediation(
      h.app,
      post(
        "tenants/x/remediations",
        { tenantId: CONTOSO },
        { action: "block-account", control: "accounts.inactive-90", subjectId: ENRICO, requestedBy: "servicenow:INC0012345" },
      ),
      new InvocationContext(),
    );
    expect(requested.status).toBe(200);
    const result = requested.jsonBody as { outcome: string; auditId: string };
    expect(result.outcome).toBe("done");
    expect(h.sim.tenant(CONTOSO).get(`v1.0/users/${ENRICO}`)).toMatchObject({ accountEnabled: false });

    const status = await handleGetRemediation(
      h.app,
      new HttpRequest({ method: "GET", url: "http://localhost/api/x", params: { tenantId: CONTOSO, auditId: result.auditId } }),
    );
    expect(status).toMatchObject({
      status: 200,
      jsonBody: { channel: "api", requestedBy: "servicenow:INC0012345", outcome: "done", subjectId: ENRICO },
    });

    const undone = await handleUndoRemediation(
      h.app,
      post("x", { tenantId: CONTOSO, auditId: result.auditId }, { requestedBy: "servicenow:INC0012346" }),
      new InvocationContext(),
    );
    expect(undone.jsonBody).toMatchObject({ outcome: "done" });
    expect(h.sim.tenant(CONTOSO).get(`v1.0/users/${ENRICO}`)).toMatchObject({ accountEnabled: true });
  });

  it("rejects malformed requests with a message naming the field, and changes nothing", async () => {
    const before = h.sim.tenant(CONTOSO).requests.length;
    const response = await handleRequestRemediation(
      h.app,
      post("x", { tenantId: CONTOSO }, { action: "delete-tenant", control: "accounts.inactive-90", subjectId: ENRICO }),
      new InvocationContext(),
    );
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.jsonBody)).toMatch(/action: .*requestedBy: /);
    const notJson = await handleRequestRemediation(h.app, post("x", { tenantId: CONTOSO }, "{oops"), new InvocationContext());
    expect(notJson).toMatchObject({ status: 400, jsonBody: { error: { code: "invalid-json" } } });
    expect(h.sim.tenant(CONTOSO).requests.length).toBe(before);
  });

  it("answers 404 for unregistered tenants and unknown remediations, 400 for a bad tenant id", async () => {
    const body = { action: "block-account", control: "accounts.inactive-90", subjectId: ENRICO, requestedBy: "jira" };
    expect(
      (
        await handleRequestRemediation(
          h.app,
          post("x", { tenantId: "0f0e0d0c-0b0a-4909-8807-060504030201" }, body),
          new InvocationContext(),
        )
      ).status,
    ).toBe(404);
    expect((await handleRequestRemediation(h.app, post("x", { tenantId: "contoso" }, body), new InvocationContext())).status).toBe(400);
    const unknown = await handleGetRemediation(
      h.app,
      new HttpRequest({ method: "GET", url: "http://localhost/api/x", params: { tenantId: CONTOSO, auditId: "nope" } }),
    );
    expect(unknown.status).toBe(404);
  });
});
