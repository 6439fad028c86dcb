/**
 * Attacks a review ran against the guarded path (through the ticketing API and the approval
 * page), each of which succeeded once: requests queued behind the tenant's lease acting on a stale
 * tenant record, an undo slipping in before the audit row of a later change, Graph's read lag
 * turning an undo into a false `stale`, a long approver list burning an approval, and route values
 * that broke a handler. Each now asserts the safe behaviour.
 */
import functionsRuntime from "@azure/functions";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { handleRequestRemediation, handleUndoRemediation } from "../../functions/remediations-api.js";
import type { TenantConfig } from "../../shared/model/tenant.js";
import { REMEDIATION_LEASE } from "../../shared/remediation/remediate.js";
import type { RemediationResult } from "../../shared/model/remediation.js";
import type { AuditRepository } from "../../shared/storage/audit.js";
import type { App } from "../../shared/app/wiring.js";
import { demoFixture } from "../sweep/harness.js";
import { newBrowser, startApprovalHarness, type ApprovalHarness } from "./harness.js";

const { HttpRequest, InvocationContext } = functionsRuntime;
const CONTOSO = "db7e339f-4fdd-5d4e-8778-ad3eb108a2f9";
const ENRICO = "91cbee10-7d58-51d9-b27f-68150da6fb60"; // inactive 270 days
const MEGAN = "589464b4-da21-5327-b218-62aba773345c"; // GA, registered, per-user MFA disabled
const LABS = "contosolabs.com"; // root, managed, passwords expire after 90 days
const NEVER = 2_147_483_647;

let h: ApprovalHarness;
let config: TenantConfig;
beforeAll(async () => {
  h = await startApprovalHarness([await demoFixture("contoso-messy")]);
  config = (await tenantRecord()).config;
});
afterEach(async () => {
  h.sim.tenant(CONTOSO).restore();
  h.sim.tenant(CONTOSO).reset();
  h.sim.faults.clear();
  await h.app.tenants.upsert({ ...(await tenantRecord()), enabled: true, config });
});
afterAll(() => h.close());

async function tenantRecord() {
  const record = await h.app.tenants.get(CONTOSO);
  if (!record) throw new Error("Contoso is not registered");
  return record;
}

const context = () => new InvocationContext({ logHandler: () => undefined });
const post = (params: Record<string, string>, body: unknown) =>
  new HttpRequest({ method: "POST", url: "http://localhost/api/x", params, body: { string: JSON.stringify(body) } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const enabled = (id: string) => (h.sim.tenant(CONTOSO).get(`v1.0/users/${id}`) as { accountEnabled: boolean }).accountEnabled;
const validity = () =>
  (h.sim.tenant(CONTOSO).get(`v1.0/domains/${LABS}`) as { passwordValidityPeriodInDays: number }).passwordValidityPeriodInDays;

async function apply(body: object, app: App = h.app): Promise<RemediationResult> {
  const response = await handleRequestRemediation(app, post({ tenantId: CONTOSO }, { requestedBy: "servicenow:INC1", ...body }), context());
  expect(response.status).toBe(200);
  return response.jsonBody as RemediationResult;
}

async function undo(auditId: string): Promise<RemediationResult> {
  return (await handleUndoRemediation(h.app, post({ tenantId: CONTOSO, auditId }, { requestedBy: "servicenow:INC2" }), context()))
    .jsonBody as RemediationResult;
}

const blockEnrico = { action: "block-account", control: "accounts.inactive-90", subjectId: ENRICO };

/** Runs `body` while another remediation holds the tenant's lease; `meanwhile` changes the registration during the wait. */
async function queuedBehindLease(meanwhile: () => Promise<unknown>): Promise<RemediationResult> {
  const held = await h.app.leases.acquire(CONTOSO, REMEDIATION_LEASE, { waitInMs: 0 });
  if (!held) throw new Error("the lease was not free");
  const pending = apply(blockEnrico);
  await sleep(300); // the request is waiting for the lease now
  await meanwhile();
  await held.release();
  return pending;
}

describe("a request queued behind the tenant's lease judges the registration as it is when its turn comes", () => {
  it("a tenant disabled while it waited: refused", async () => {
    const result = await queuedBehindLease(() => h.app.tenants.setEnabled(CONTOSO, false));
    expect(result).toMatchObject({ outcome: "refused", message: expect.stringContaining("disabled in tenant-patrol") as unknown });
    expect(enabled(ENRICO)).toBe(true);
  });

  it("a policy narrowed to no actions while it waited: refused", async () => {
    const result = await queuedBehindLease(async () =>
      h.app.tenants.upsert({ ...(await tenantRecord()), config: { ...config, remediation: { actions: [] } } }),
    );
    expect(result.outcome).toBe("refused");
    expect(enabled(ENRICO)).toBe(true);
  });

  it("the subject excluded while it waited: refused", async () => {
    const exclusions = { ...config.exclusions, userIds: [...config.exclusions.userIds, ENRICO] };
    const result = await queuedBehindLease(async () =>
      h.app.tenants.upsert({ ...(await tenantRecord()), config: { ...config, exclusions } }),
    );
    expect(result).toMatchObject({ outcome: "refused", message: expect.stringContaining("exclusions") as unknown });
    expect(enabled(ENRICO)).toBe(true);
  });

  it("an approval whose tenant is disabled after the link was checked: refused, nothing changed", async () => {
    const { token } = await h.createApproval({
      tenantId: CONTOSO,
      control: "accounts.inactive-90",
      action: "block-account",
      subjectId: ENRICO,
    });
    const browser = newBrowser();
    const csrf = await h.openForm(token, browser);
    const held = await h.app.leases.acquire(CONTOSO, REMEDIATION_LEASE, { waitInMs: 0 });
    const page = h.post(token, { decision: "approve", csrf }, { browser });
    await sleep(500);
    await h.app.tenants.setEnabled(CONTOSO, false);
    await held?.release();
    expect((await page).body).toContain("disabled in tenant-patrol");
    expect(enabled(ENRICO)).toBe(true);
  });
});

it("an undo waits for a later change's audit row (written under the lease) and then defers to it", async () => {
  const graph = h.app.graphFor(CONTOSO).client;
  const first = await apply({ action: "set-password-never-expire", control: "password.never-expire", subjectId: LABS });
  expect(first.outcome).toBe("done");
  await graph.api(`/domains/${LABS}`).patch({ passwordValidityPeriodInDays: 180 }); // an admin, by hand
  // A second change whose audit write is slow (another instance, busy storage).
  let letAuditWrite = () => undefined as void;
  const gate = new Promise<void>((resolve) => (letAuditWrite = resolve));
  const slowAudit: AuditRepository = {
    get: (...args) => h.app.audit.get(...args),
    listForTenant: (...args) => h.app.audit.listForTenant(...args),
    listActionAfter: (...args) => h.app.audit.listActionAfter(...args),
    record: async (...args) => {
      await gate;
      return h.app.audit.record(...args);
    },
  };
  const slow: App = { ...h.app, remediationFor: (tenant, log) => ({ ...h.app.remediationFor(tenant, log), audit: slowAudit }) };
  const second = apply({ action: "set-password-never-expire", control: "password.never-expire", subjectId: LABS }, slow);
  for (let i = 0; i < 100 && validity() !== NEVER; i++) await sleep(20);
  const undoFirst = undo(first.auditId); // must not run before the second change's row exists
  await sleep(300);
  letAuditWrite();
  expect((await second).outcome).toBe("done");
  expect(await undoFirst).toMatchObject({
    outcome: "stale",
    message: expect.stringContaining("changed the same subject since") as unknown,
  });
  expect(validity()).toBe(NEVER);
  expect((await undo((await second).auditId)).outcome).toBe("done");
  expect(validity()).toBe(180);
});

it("an undo right after enforce-mfa, while Graph's read still lags, still sets the state back", async () => {
  h.sim.tenant(CONTOSO).setStaleReadsAfterWrite(1);
  const applied = await apply({ action: "enforce-mfa", control: "mfa.admins", subjectId: MEGAN });
  expect(applied.outcome).toBe("done");
  expect((await undo(applied.auditId)).outcome).toBe("done");
  h.sim.tenant(CONTOSO).setStaleReadsAfterWrite(0);
  expect(h.sim.tenant(CONTOSO).get(`beta/users/${MEGAN}/authentication/requirements`)).toMatchObject({ perUserMfaState: "disabled" });
});

describe("route values and tenant settings that once broke a handler", () => {
  it("an undo route with a 1,025-character audit id is 404, not a 500", async () => {
    const response = await handleUndoRemediation(
      h.app,
      post({ tenantId: CONTOSO, auditId: "2".repeat(1025) }, { requestedBy: "x" }),
      context(),
    );
    expect(response.status).toBe(404);
  });

  it("domain subjects that are not domain names ('.', '..') are refused before any Graph call", async () => {
    for (const subjectId of [".", "..", "contoso.com/../users"]) {
      const result = await apply({ action: "set-password-never-expire", control: "password.never-expire", subjectId });
      expect(result).toMatchObject({ outcome: "refused", message: expect.stringContaining("is not a domain name") as unknown });
    }
    expect(h.sim.tenant(CONTOSO).requests).toEqual([]);
  });

  it("a tenant with 30 approvers: approving runs the action and audits who decided, summarised", async () => {
    const approvers = Array.from({ length: 30 }, (_, i) => `security-approver-${i}@contoso-holdings.example`);
    await h.app.tenants.upsert({ ...(await tenantRecord()), config: { ...config, approvers } });
    const { approval, page } = await h.approveByLink({
      tenantId: CONTOSO,
      control: "accounts.inactive-90",
      action: "block-account",
      subjectId: ENRICO,
    });
    expect(page.status).toBe(200);
    const [row] = await h.auditFor(approval.approvalId);
    expect(row).toMatchObject({ outcome: "done", requestedBy: expect.stringContaining("approval link sent to 30 approvers") as unknown });
    expect(enabled(ENRICO)).toBe(false);
  });
});
