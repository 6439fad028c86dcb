/** sendMail lands in the sender's Sent Items, readable back through Graph. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startGraphSimulator, type GraphSimulator } from "../../dev/simulator/index.js";
import { raw, sdkClient } from "./helpers/clients.js";
import { TENANT_A, tenantFixture, user, userId } from "./helpers/fixtures.js";

let sim: GraphSimulator;
const SENDER = userId(1);

beforeAll(async () => {
  sim = await startGraphSimulator({
    fixtures: [tenantFixture({ graph: { "v1.0/users": [user(1, { mail: "patrol@contoso.com", displayName: "Tenant Patrol" })] } })],
    throttling: { enabled: false },
  });
});
afterAll(() => sim.close());
afterEach(() => sim.tenant(TENANT_A).restore());

const message = (subject: string) => ({
  subject,
  body: { contentType: "HTML", content: `<p>${subject}</p>` },
  toRecipients: [{ emailAddress: { address: "it@contoso.com" } }],
});
const send = (body: unknown) => raw(sim, TENANT_A, `v1.0/users/${SENDER}/sendMail`, { method: "POST", body });

describe("POST users/{id}/sendMail", () => {
  it("answers 202 with an empty body and no JSON content type, and the SDK accepts it", async () => {
    const response = await send({ message: message("Approve: block user7") });
    expect(response.status).toBe(202);
    expect(response.text).toBe("");
    expect(response.headers.has("content-type")).toBe(false);
    await sdkClient(sim, TENANT_A)
      .api(`/users/${SENDER}/sendMail`)
      .post({ message: message("via SDK") });
    expect(
      sim
        .tenant(TENANT_A)
        .sentMail(SENDER)
        .map((m) => m.subject),
    ).toEqual(["via SDK", "Approve: block user7"]);
  });

  it("stores a Graph message resource readable from Sent Items, paged by 10", async () => {
    for (let i = 0; i < 12; i++) await send({ message: message(`m${i}`) });
    // Reading mail needs Mail.Read, which tenant-patrol never asks for: this test's token has it.
    const reader = { token: sim.mintToken(TENANT_A, { roles: ["Mail.Read"] }) };
    const first = await raw(sim, TENANT_A, `v1.0/users/${SENDER}/mailFolders/sentitems/messages`, reader);
    expect(first.json.value).toHaveLength(10);
    expect(first.json.value[0]).toMatchObject({
      subject: "m11",
      body: { contentType: "html", content: "<p>m11</p>" },
      toRecipients: [{ emailAddress: { address: "it@contoso.com" } }],
      from: { emailAddress: { name: "Tenant Patrol", address: "patrol@contoso.com" } },
      isDraft: false,
    });
    expect(first.json.value[0]?.id).toEqual(expect.any(String));
    expect(first.json.value[0]?.sentDateTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const second = await raw(sim, TENANT_A, first.json["@odata.nextLink"] as string, reader);
    expect(second.json.value.map((m) => m.subject)).toEqual(["m1", "m0"]);
    expect(
      (await raw(sim, TENANT_A, `v1.0/users/${SENDER}/mailFolders/SentItems/messages?$top=2&$select=subject`, reader)).json.value,
    ).toEqual([{ subject: "m11" }, { subject: "m10" }]);
  });

  it("keeps nothing when saveToSentItems is false", async () => {
    expect((await send({ message: message("quiet"), saveToSentItems: false })).status).toBe(202);
    expect(sim.tenant(TENANT_A).sentMail(SENDER)).toEqual([]);
  });

  it.each([
    [{ message: { subject: "x", toRecipients: [] } }, "ErrorInvalidRecipients"],
    [{ message: { subject: "x", toRecipients: [{ emailAddress: { address: "not-an-address" } }] } }, "ErrorInvalidRecipients"],
    [{ message: { ...message("x"), priority: "high" } }, "RequestBodyRead"],
    [{ message: message("x"), urgent: true }, "RequestBodyRead"],
    [{ saveToSentItems: true }, "ErrorInvalidParameter"],
  ])("answers 400 for %j", async (body, code) => {
    const response = await send(body);
    expect(response.status).toBe(400);
    expect(response.json.error.code).toBe(code);
    expect(sim.tenant(TENANT_A).sentMail(SENDER)).toEqual([]);
  });

  it("answers 404 for a sender that does not exist", async () => {
    const response = await raw(sim, TENANT_A, "v1.0/users/ghost@contoso.com/sendMail", { method: "POST", body: { message: message("x") } });
    expect(response.status).toBe(404);
    expect(response.json.error.code).toBe("ErrorInvalidUser");
  });
});
