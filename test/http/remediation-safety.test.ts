/**
 * The security review's findings (issue "Remediation safety"), replayed through the HTTP entry
 * points: the ticketing API handlers and the approval page, on the same wiring (shared/app/), against the
 * simulator and Azurite. Each test failed on the code before the guarded path existed.
 */
import functionsRuntime, { type HttpResponseInit } from "@azure/functions";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { handleRequestRemediation, handleUndoRemediation, MAX_API_BODY_BYTES } from "../../functions/remediations-api.js";
import { TEST_APP_CLIENT_ID, type TenantFixture, type FixtureGraph } from "../../dev/simulator/index.js";
import type { TenantConfig } from "../../shared/model/tenant.js";
import type { RemediationResult } from "../../shared/model/remediation.js";
import { GLOBAL_ADMIN, spId, TENANT_B, tenantFixture, user, userId } from "../simulator/helpers/fixtures.js";
import { demoFixture } from "../sweep/harness.js";
import { newBrowser, startApprovalHarness, type ApprovalHarness } from "./harness.js";

const { HttpRequest, InvocationContext } = functionsRuntime;

const CONTOSO = "db7e339f-4fdd-5d4e-8778-ad3eb108a2f9";
/** Contoso people (dev/fixtures/tenants/README.md). */
const TOMAS = "46e77821-9ec0-5b80-9bae-000ab911b5ad"; // not registered for MFA, holds no role, active
const NON_ADMIN = "c29c1f1e-f449-5b35-9883-d234dbd7a0b9"; // holds no role
const ENRICO = "91cbee10-7d58-51d9-b27f-68150da6fb60"; // inactive 270 days

/** A tenant with four Global Administrators, all inactive for 100 days, and the digest mailbox. */
const FOUR_GAS = TENANT_B;
const GAS = [userId(2), userId(3), userId(4), userId(5)];
const MAILER = userId(1);
const OWN_PRINCIPAL = spId(1);

function fourGaTenant(): TenantFixture {
  const inactive = { signInActivity: { lastSignInDateTime: "2026-08-20T00:00:00Z", lastSuccessfulSignInDateTime: "2026-08-20T00:00:00Z" } };
  const graph: FixtureGraph = {
    // The first user's UPN becomes MAIL_SENDER in the approval harness.
    "v1.0/users": [
      user(1, { ...inactive, userPrincipalName: "patrol-mail@fourgas.example" }),
      ...[2, 3, 4, 5].map((n) => user(n, inactive)),
    ],
    "v1.0/servicePrincipals": [{ id: OWN_PRINCIPAL, appId: TEST_APP_CLIENT_ID, displayName: "Tenant Patrol" }],
    "v1.0/roleManagement/directory/roleAssignments": GAS.map((id, i) => ({
      id: `ra-${i}`,
      principalId: id,
      roleDefinitionId: GLOBAL_ADMIN,
      directoryScopeId: "/",
    })),
  };
  return tenantFixture({ id: FOUR_GAS, displayName: "Four GAs", graph });
}

let h: ApprovalHarness;
let contosoConfig: TenantConfig;
const logs: { level: string; text: string }[] = [];

beforeAll(async () => {
  h = await startApprovalHarness([fourGaTenant(), await demoFixture("contoso-messy")]);
  contosoConfig = (await h.app.tenants.get(CONTOSO))?.config ?? { exclusions: { userIds: [], groupIds: [] }, approvers: [] };
});
afterEach(async () => {
  for (const tenantId of [CONTOSO, FOUR_GAS]) {
    h.sim.tenant(tenantId).restore();
    h.sim.tenant(tenantId).reset();
    h.sim.faults.clear();
    await h.app.tenants.setEnabled(tenantId, true);
  }
  await setContosoConfig(contosoConfig);
  logs.length = 0;
});
afterAll(() => h.close());

function context() {
  return new InvocationContext({ logHandler: (level, ...args) => logs.push({ level, text: args.map(String).join(" ") }) });
}

function post(params: Record<string, string>, body: unknown) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return new HttpRequest({ method: "POST", url: "http://localhost/api/tenants/x/remediations", params, body: { string: text } });
}

async function apply(tenantId: string, body: { action: string; control: string; subjectId: string | null }): Promise<RemediationResult> {
  const response = await handleRequestRemediation(h.app, post({ tenantId }, { requestedBy: "servicenow:INC1", ...body }), context());
  expect(response.status).toBe(200);
  return response.jsonBody as RemediationResult;
}

async function undoRow(tenantId: string, auditId: string): Promise<HttpResponseInit> {
  return handleUndoRemediation(h.app, post({ tenantId, auditId }, { requestedBy: "servicenow:INC2" }), context());
}

async function setContosoConfig(config: TenantConfig): Promise<void> {
  const record = await h.app.tenants.get(CONTOSO);
  if (!record) throw new Error("Contoso is not registered");
  await h.app.tenants.upsert({ ...record, config });
}

const enabled = (tenantId: string, id: string) => h.sim.tenant(tenantId).get(`v1.0/users/${id}`) as { accountEnabled: boolean };
const blockInactive = (subjectId: string) => ({ action: "block-account", control: "accounts.inactive-90", subjectId });

describe("broken", () => {
  it("1. block-account for mfa.admins: refused without blockUnregisteredAdmins, stale on a user who holds no role", async () => {
    const request = { action: "block-account", control: "mfa.admins", subjectId: TOMAS };
    const refused = await apply(CONTOSO, request);
    expect(refused.outcome).toBe("refused");
    expect(refused.message).toContain("blockUnregisteredAdmins is off");

    await setContosoConfig({ ...contosoConfig, remediation: { blockUnregisteredAdmins: true } });
    const stale = await apply(CONTOSO, request);
    expect(stale.outcome).toBe("stale");
    expect(stale.message).toContain("holds no privileged role");
    expect(enabled(CONTOSO, TOMAS).accountEnabled).toBe(true);
    expect(h.graphWrites(CONTOSO).filter((w) => !w.path.endsWith("$batch"))).toEqual([]);
  });

  it("2. enforce-mfa is re-judged by mfa.admins: a user who holds no role is stale, nothing written", async () => {
    const result = await apply(CONTOSO, { action: "enforce-mfa", control: "mfa.admins", subjectId: NON_ADMIN });
    expect(result.outcome).toBe("stale");
    expect(h.graphWrites(CONTOSO).filter((w) => !w.path.endsWith("$batch"))).toEqual([]);
  });

  it("3. undo on a disabled tenant is refused and leaves the account as the action left it", async () => {
    const blocked = await apply(CONTOSO, blockInactive(ENRICO));
    expect(blocked.outcome).toBe("done");
    await h.app.tenants.setEnabled(CONTOSO, false);
    const undone = await undoRow(CONTOSO, blocked.auditId);
    expect(undone.jsonBody).toMatchObject({ outcome: "refused", message: expect.stringContaining("disabled in tenant-patrol") as unknown });
    expect(enabled(CONTOSO, ENRICO).accountEnabled).toBe(false);
  });
});

describe("weak", () => {
  it("4. the API applies the tenant's remediation policy (actions: [] allows nothing)", async () => {
    await setContosoConfig({ ...contosoConfig, remediation: { actions: [] } });
    const block = await apply(CONTOSO, blockInactive(ENRICO));
    const consent = await apply(CONTOSO, { action: "disable-user-consent", control: "apps.user-consent", subjectId: null });
    for (const result of [block, consent]) {
      expect(result.outcome).toBe("refused");
      expect(result.message).toContain("remediation policy does not allow");
    }
    expect(h.graphWrites(CONTOSO)).toEqual([]);
  });

  it("5. undoing an older row never reverses a newer action on the same subject", async () => {
    const first = await apply(CONTOSO, blockInactive(ENRICO));
    expect((await undoRow(CONTOSO, first.auditId)).jsonBody).toMatchObject({ outcome: "done" });
    expect((await apply(CONTOSO, blockInactive(ENRICO))).outcome).toBe("done");
    const again = await undoRow(CONTOSO, first.auditId);
    expect(again.jsonBody).toMatchObject({
      outcome: "stale",
      message: expect.stringContaining("changed the same subject since") as unknown,
    });
    expect(enabled(CONTOSO, ENRICO).accountEnabled).toBe(false);
  });

  it("6. an API undo of an action approved by link shows as undone on the approval page", async () => {
    const {
      approval,
      token,
      page: decided,
    } = await h.approveByLink({
      tenantId: CONTOSO,
      control: "accounts.inactive-90",
      action: "block-account",
      subjectId: ENRICO,
    });
    expect(decided.status).toBe(200);
    const stored = await h.approvals.get(CONTOSO, approval.approvalId);
    expect(stored?.outcome).toBe("done");

    const undone = await undoRow(CONTOSO, stored?.auditId ?? "");
    expect(undone.jsonBody).toMatchObject({ outcome: "done" });
    expect((await h.approvals.get(CONTOSO, approval.approvalId))?.undo).toMatchObject({ undoneBy: "servicenow:INC2" });
    const page = await h.get(token);
    expect(page.body).toContain("Undone");
    expect(page.body).not.toContain("Sign-in blocked");
  });

  it("7. three concurrent blocks of Global Administrators through both entry points leave at least two enabled", async () => {
    const [linked, ...viaApi] = GAS.slice(0, 3);
    const { token } = await h.createApproval({
      tenantId: FOUR_GAS,
      control: "accounts.inactive-90",
      action: "block-account",
      subjectId: linked ?? "",
    });
    const browser = newBrowser();
    const csrf = await h.openForm(token, browser);
    const [page, ...results] = await Promise.all([
      h.post(token, { decision: "approve", csrf }, { browser }),
      ...viaApi.map((id) => apply(FOUR_GAS, blockInactive(id))),
    ]);
    expect(page?.status).toBe(200);
    const rows = (await h.audit.listForTenant(FOUR_GAS, { limit: 100 })).filter((row) => GAS.includes(row.subjectId ?? ""));
    expect(rows).toHaveLength(3);
    expect(rows.filter((row) => row.outcome === "done")).toHaveLength(2);
    expect(rows.filter((row) => row.outcome === "refused").map((row) => row.message)).toEqual([
      expect.stringContaining("only 1 other enabled Global Administrator would remain"),
    ]);
    expect(GAS.filter((id) => enabled(FOUR_GAS, id).accountEnabled)).toHaveLength(2);
    expect(results.map((r) => r.outcome).sort()).not.toEqual(["done", "done", "done"]);
  });

  it("8. never tenant-patrol's own service principal (found from the app id), never the mail sender", async () => {
    const own = await apply(FOUR_GAS, blockInactive(OWN_PRINCIPAL));
    expect(own).toMatchObject({ outcome: "refused", message: expect.stringContaining("own service principal") as unknown });
    const mailer = await apply(FOUR_GAS, blockInactive(MAILER));
    expect(mailer).toMatchObject({ outcome: "refused", message: expect.stringContaining("MAIL_SENDER") as unknown });
    expect(enabled(FOUR_GAS, MAILER).accountEnabled).toBe(true);
  });

  it("9. a route value with CR/LF cannot forge a log line", async () => {
    const forged = "x\n[remediation-undo] information: FORGED LINE";
    const response = await undoRow(CONTOSO, forged);
    expect(response).toMatchObject({ status: 404, jsonBody: { error: { code: "not-found" } } });
    expect(logs.length).toBeGreaterThan(0);
    for (const line of logs) expect(line.text).not.toMatch(/[\r\n]/);
    expect(logs.some((line) => line.text.includes("x\\u000a[remediation-undo] information: FORGED LINE"))).toBe(true);
  });

  it("11. a failed remediation is logged with Graph's request id, an oversized body is 413", async () => {
    h.sim.faults.add({ path: /users\//, method: "PATCH", fault: { type: "status", status: 500 } });
    const failed = await apply(CONTOSO, blockInactive(ENRICO));
    expect(failed.outcome).toBe("failed");
    const warning = logs.find((line) => line.level === "warning" && line.text.includes(failed.auditId));
    expect(warning?.text).toContain(`Graph request id ${failed.graphRequestId ?? "?"}`);
    expect(failed.graphRequestId).toEqual(expect.any(String));

    const huge = {
      action: "block-account",
      control: "accounts.inactive-90",
      subjectId: ENRICO,
      requestedBy: "x".repeat(MAX_API_BODY_BYTES),
    };
    const response = await handleRequestRemediation(h.app, post({ tenantId: CONTOSO }, huge), context());
    expect(response).toMatchObject({ status: 413, jsonBody: { error: { code: "body-too-large" } } });
  });
});
