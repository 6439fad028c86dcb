/**
 * The ticketing API, version 2, driven as a ticketing system would: a client generated from the
 * OpenAPI document, an Entra token from the simulator's token endpoint, the local Functions host.
 * Every response is checked against the document (the last test asserts no violation was seen).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPairSync, sign } from "node:crypto";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_APP_CLIENT_ID } from "../../dev/simulator/index.js";
import { demoFixture } from "../sweep/harness.js";
import { OPENAPI_DOCUMENT } from "./openapi-contract.js";
import { callerApp, startTicketingHarness, type TicketingHarness } from "./ticketing-harness.js";

const CONTOSO = "db7e339f-4fdd-5d4e-8778-ad3eb108a2f9";
const FABRIKAM = "9c9e3ba8-f8eb-532d-bea5-bee0e1548e18";
// Inactive well over 90 days (dev/fixtures/tenants/README.md): each test blocks its own.
const ENRICO = "91cbee10-7d58-51d9-b27f-68150da6fb60";
const ALLAN = "a94d1105-7f55-5309-a761-5de0a0b8221d";
const EMILY = "23a28dd5-2343-516a-855f-8edbf23d34f9";
const CHRISTIE = "bb52d56a-184b-5b24-8674-534319d57060";
const MIRIAM = "cc10ebea-6071-5317-a97f-1f976ef857bb"; // inactive 68 days: accounts.inactive-30

const GENERATED_TYPES = "openapi/remediations-api.generated.ts";
const ALL_ROLES = ["Remediation.Request", "Remediation.Read"];
const SERVICENOW = callerApp("6a1f0c2e-1111-4a4a-9b9b-000000000001", ALL_ROLES); // reaches Contoso only
const MSP_PSA = callerApp("6a1f0c2e-2222-4a4a-9b9b-000000000002", ALL_ROLES); // reaches every tenant
const READER = callerApp("6a1f0c2e-3333-4a4a-9b9b-000000000003", ["Remediation.Read"]);
const STRANGER = callerApp("6a1f0c2e-4444-4a4a-9b9b-000000000004", ALL_ROLES); // not in the registry

const block = (subjectId: string, ticketId: string) => ({
  tenantId: CONTOSO,
  action: "block-account" as const,
  control: "accounts.inactive-90" as const,
  subjectId,
  ticketId,
  requestedBy: "servicenow:jane.doe",
  reason: "Leaver: inactive account",
});

describe("the ticketing API v2", () => {
  let h: TicketingHarness;
  let servicenow: string;

  beforeAll(async () => {
    const contoso = await demoFixture("contoso-messy");
    h = await startTicketingHarness(
      [contoso, await demoFixture("fabrikam-healthy")],
      [
        { app: SERVICENOW, record: { displayName: "ServiceNow", tenants: [CONTOSO] } },
        { app: MSP_PSA, record: { displayName: "MSP PSA", tenants: "all" } },
        { app: READER, record: { displayName: "Reporting", tenants: "all" } },
      ],
    );
    // Contoso's policy lets a ticket run at once; Fabrikam's (the default) asks its approvers.
    const config = { ...contoso.config, remediation: { apiRunsWithoutApproval: true } };
    await h.app.tenants.upsert({ tenantId: CONTOSO, displayName: contoso.tenant.displayName, enabled: true, config });
    servicenow = await h.tokenFor(SERVICENOW);
  });
  afterAll(() => h.close());

  const auditRows = async () => h.app.audit.listForTenant(CONTOSO, { limit: 1000 });
  const writesTo = (userId: string) =>
    h.sim
      .tenant(CONTOSO)
      .requests.filter((r) => r.method === "PATCH" && r.path.endsWith(userId))
      .map((r) => r.path);

  it("has a valid OpenAPI 3.1 document, served at /api/openapi.json, and a generated client that is up to date", async () => {
    const result = await new Validator().validate(structuredClone(OPENAPI_DOCUMENT));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const served = await h.client().GET("/openapi.json");
    expect(served.data).toEqual(OPENAPI_DOCUMENT);
    const out = join(mkdtempSync(join(tmpdir(), "openapi-")), "types.ts");
    execFileSync("npx", ["openapi-typescript", "openapi/remediations.openapi.json", "-o", out], { stdio: "ignore" });
    // Formatted as the repository's Prettier settings format the checked-in file.
    const generated = execFileSync("npx", ["prettier", "--stdin-filepath", GENERATED_TYPES], { input: readFileSync(out) }).toString();
    expect(generated, "run npm run openapi:types").toBe(readFileSync(GENERATED_TYPES, "utf8"));
  });

  it("requests, follows and undoes a block with a token scoped to one tenant, twice with one Idempotency-Key, acting once", async () => {
    const api = h.client(servicenow);
    const params = { header: { "Idempotency-Key": "INC0012345-block" } };
    const first = await api.POST("/remediations", { params, body: block(ENRICO, "INC0012345") });
    expect(first.response.status).toBe(200);
    expect(first.data).toMatchObject({ state: "done", result: { outcome: "done" }, ticketId: "INC0012345" });
    const again = await api.POST("/remediations", { params, body: block(ENRICO, "INC0012345") });
    expect(again.data).toEqual(first.data);
    expect(writesTo(ENRICO)).toHaveLength(1);
    expect(h.sim.tenant(CONTOSO).get(`v1.0/users/${ENRICO}`)).toMatchObject({ accountEnabled: false });

    const id = first.data?.id ?? "";
    const followed = await api.GET("/remediations/{id}", { params: { path: { id } } });
    expect(followed.data).toEqual(first.data);
    const listed = await api.GET("/remediations", { params: { query: { tenantId: CONTOSO, ticketId: "INC0012345" } } });
    expect(listed.data?.items.map((r) => r.id)).toEqual([id]);

    const undoBody = { requestedBy: "servicenow:jane.doe" };
    const undone = await api.POST("/remediations/{id}/undo", { params: { path: { id } }, body: undoBody });
    const undoneAgain = await api.POST("/remediations/{id}/undo", { params: { path: { id } }, body: undoBody });
    expect(undone.data?.undo).toMatchObject({ state: "done", result: { outcome: "done" } });
    expect(undoneAgain.data).toEqual(undone.data);
    expect(h.sim.tenant(CONTOSO).get(`v1.0/users/${ENRICO}`)).toMatchObject({ accountEnabled: true });
    const rows = (await auditRows()).filter((r) => r.subjectId === ENRICO);
    expect(rows.map((r) => [r.mode, r.channel, r.outcome])).toEqual([
      ["undo", "api", "done"],
      ["apply", "api", "done"],
    ]);
  });

  it("answers 20 concurrent identical requests with one action, one audit row and 20 identical answers", async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(`${h.host.url}/api/remediations`, {
          method: "POST",
          headers: { Authorization: `Bearer ${servicenow}`, "Content-Type": "application/json", "Idempotency-Key": "INC0020000" },
          body: JSON.stringify(block(ALLAN, "INC0020000")),
        }).then(async (r) => ({ status: r.status, body: await r.text() })),
      ),
    );
    expect(new Set(answers.map((a) => `${a.status} ${a.body}`)).size).toBe(1);
    expect(answers[0]?.status).toBe(200);
    expect(writesTo(ALLAN)).toHaveLength(1);
    expect((await auditRows()).filter((r) => r.subjectId === ALLAN)).toHaveLength(1);
  });

  it("refuses an Idempotency-Key reused with another body (422), and answers the same natural key without a key with the same request", async () => {
    const api = h.client(servicenow);
    const params = { header: { "Idempotency-Key": "INC0030000" } };
    const first = await api.POST("/remediations", { params, body: block(EMILY, "INC0030000") });
    const reused = await api.POST("/remediations", { params, body: { ...block(EMILY, "INC0030000"), reason: "another reason" } });
    expect(reused.response.status).toBe(422);
    expect(reused.response.headers.get("content-type")).toBe("application/problem+json");
    const withoutKey = await api.POST("/remediations", { body: block(EMILY, "INC0030000") });
    expect(withoutKey.data).toEqual(first.data);
    expect(writesTo(EMILY)).toHaveLength(1);
  });

  it("names every invalid field in a problem+json answer, and changes nothing", async () => {
    const before = h.sim.tenant(CONTOSO).requests.length;
    const bad = await h.client(servicenow).POST("/remediations", {
      // @ts-expect-error -- a ticketing system sending what the contract forbids
      body: { ...block(ENRICO, ""), action: "delete-tenant", extra: 1 },
    });
    expect(bad.response.status).toBe(400);
    expect(bad.response.headers.get("content-type")).toBe("application/problem+json");
    expect(bad.error?.errors?.map((e) => e.field).sort()).toEqual(["action", "extra", "ticketId"]);
    expect(h.sim.tenant(CONTOSO).requests.length).toBe(before);
  });

  it("keeps a caller to its own tenants: another tenant's requests, list and undo read as unknown (404)", async () => {
    const psa = h.client(await h.tokenFor(MSP_PSA));
    const elsewhere = await psa.POST("/remediations", {
      body: { ...block(CHRISTIE, "FAB-1"), tenantId: FABRIKAM, subjectId: "c5b77672-cb17-55bb-8271-a56355de67f3" },
    });
    expect(elsewhere.response.status).toBe(202); // Fabrikam's policy: the approvers decide
    const id = elsewhere.data?.id ?? "";
    const api = h.client(servicenow);
    expect((await api.GET("/remediations/{id}", { params: { path: { id } } })).response.status).toBe(404);
    expect((await api.POST("/remediations/{id}/undo", { params: { path: { id } }, body: { requestedBy: "x" } })).response.status).toBe(404);
    expect((await api.GET("/remediations", { params: { query: { tenantId: FABRIKAM } } })).response.status).toBe(404);
    const submitted = await api.POST("/remediations", { body: { ...block(CHRISTIE, "FAB-2"), tenantId: FABRIKAM } });
    expect(submitted.response.status).toBe(404);
    expect(submitted.error?.detail).toBe(`Tenant ${FABRIKAM} is not registered.`);
  });

  it("refuses tokens that are missing, expired, for another audience or issuer, unsigned, signed by another key, without the role, or of an unregistered app", async () => {
    const claims = { tenantId: h.sim.homeTenantId, audience: TEST_APP_CLIENT_ID, appId: SERVICENOW.clientId, roles: ALL_ROLES };
    const unsigned = (token: string) => {
      const [, payload] = token.split(".");
      return `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${payload}.`;
    };
    const foreignKey = (token: string) => {
      const [header, payload] = token.split(".");
      const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      return `${header}.${payload}.${sign("sha256", Buffer.from(`${header}.${payload}`), privateKey).toString("base64url")}`;
    };
    const cases: [string, string | undefined, number, RegExp][] = [
      ["no token", undefined, 401, /^Bearer realm="tenant-patrol"$/],
      ["expired", h.sim.mintCallerToken({ ...claims, lifetimeSeconds: -120 }), 401, /error="invalid_token".*expired/],
      ["another audience", h.sim.mintCallerToken({ ...claims, audience: "00000003-0000-0000-c000-000000000000" }), 401, /audience/],
      ["another issuer", h.sim.mintCallerToken({ ...claims, tenantId: FABRIKAM }), 401, /issuer/],
      ["unsigned (alg none)", unsigned(servicenow), 401, /algorithm/],
      ["signed by another key", foreignKey(servicenow), 401, /signature/],
      ["without the role", await h.tokenFor(READER), 403, /error="insufficient_scope".*Remediation\.Request/],
      ["an unregistered app", h.sim.mintCallerToken({ ...claims, appId: STRANGER.clientId }), 403, /not registered/],
    ];
    for (const [name, token, status, challenge] of cases) {
      const answer = await h.client(token).POST("/remediations", { body: block(ENRICO, "INC-AUTH") });
      expect([name, answer.response.status]).toEqual([name, status]);
      expect(answer.response.headers.get("www-authenticate"), name).toMatch(challenge);
    }
    expect((await auditRows()).filter((r) => r.requestedBy.includes("INC-AUTH"))).toEqual([]);
  });

  it("keeps hostile ticket text as data: returned as sent, logged escaped on one line", async () => {
    const hostile = { ticketId: "INC\r\nFAKE LINE", requestedBy: "<img src=x onerror=alert(1)>", reason: "ok\u202Egnp.exe" };
    const answer = await h.client(servicenow).POST("/remediations", { body: { ...block(CHRISTIE, hostile.ticketId), ...hostile } });
    expect(answer.data).toMatchObject(hostile);
    const lines = h.logs.filter((line) => line.includes("v2 request") && line.includes("FAKE LINE"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/[\r\n\u202E]/);
  });

  it("waits for the tenant's approvers when its policy says so (202), and moves to done when they approve through the emailed link", async () => {
    const contoso = await h.app.tenants.get(CONTOSO);
    if (!contoso) throw new Error("Contoso is registered in beforeAll");
    await h.app.tenants.upsert({ ...contoso, config: { ...contoso.config, remediation: {} } });
    const api = h.client(servicenow);
    const asked = await api.POST("/remediations", { body: { ...block(MIRIAM, "INC0040000"), control: "accounts.inactive-30" } });
    expect(asked.response.status).toBe(202);
    expect(asked.data).toMatchObject({ state: "pending-approval", result: null });
    expect(writesTo(MIRIAM)).toEqual([]);

    const [mail] = h.sim.tenant(CONTOSO).sentMail(process.env.MAIL_SENDER ?? "");
    const token = /\/api\/approvals\/([^"?&<]+)\?decision=approve/.exec(JSON.stringify(mail?.body))?.[1] ?? "";
    const page = await fetch(`${h.host.url}/api/approvals/${token}`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
    const cookie = page.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const decided = await fetch(`${h.host.url}/api/approvals/${token}`, {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ decision: "approve", csrf }),
    });
    expect(decided.status).toBe(200);

    const followed = await api.GET("/remediations/{id}", { params: { path: { id: asked.data?.id ?? "" } } });
    expect(followed.response.status).toBe(200);
    expect(followed.data).toMatchObject({ state: "done", approvalId: asked.data?.approvalId, result: { outcome: "done" } });
    expect(writesTo(MIRIAM)).toHaveLength(1);
    await h.app.tenants.upsert(contoso);
  });

  it("sent every answer as the OpenAPI document describes it", () => {
    expect(h.violations).toEqual([]);
  });
});
