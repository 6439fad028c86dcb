/** The whole path on the messy demo tenant: scan → stored findings → requests → one digest in Sent Items. */
import { randomBytes } from "node:crypto";
import { ClientSecretCredential } from "@azure/identity";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runSweepToEnd } from "../../dev/sweep/run.js";
import { TEST_APP_CLIENT_ID, TEST_APP_CLIENT_SECRET, type GraphSimulator } from "../../dev/simulator/index.js";
import { notifyApprovers, type NotifyDeps } from "../../shared/approvals/notify.js";
import { SigningKey, signingKeys } from "../../shared/config/signing-keys.js";
import { verifyApprovalToken } from "../../shared/approvals/tokens.js";
import type { ApprovalSettings } from "../../shared/config/settings.js";
import { createGraphClient } from "../../shared/graph/client.js";
import type { StoredFinding } from "../../shared/model/stored.js";
import type { TenantRecord } from "../../shared/model/tenant.js";
import { ACTION_FOR_CONTROL } from "../../shared/model/remediation.js";
import { TableAcceptancesRepository } from "../../shared/storage/acceptances.js";
import { TableApprovalsRepository } from "../../shared/storage/approvals.js";
import { TableDigestsRepository } from "../../shared/storage/digests.js";
import { TableFindingsRepository } from "../../shared/storage/findings.js";
import { testStore } from "../storage/store.js";
import { demoFixture, startSweepHarness, type SweepHarness } from "../sweep/harness.js";

const fixture = await demoFixture("contoso-messy");
const TENANT_ID = fixture.tenant.id;
const AS_OF = new Date("2026-11-28T02:00:00Z");
const RUN = "20261128T020000.000Z";
const NOW = new Date("2026-11-28T02:20:00Z");
const HOSTILE = '<img src=x onerror=alert(1)> "Bobby" & Tables';
const SENDER = fixture.graph["v1.0/users"]![1]!.userPrincipalName;

const tenant: TenantRecord = { tenantId: TENANT_ID, displayName: fixture.tenant.displayName, enabled: true, config: fixture.config };
const settings: ApprovalSettings = {
  signingKeys: signingKeys([new SigningKey("k1", randomBytes(32))]),
  ttlHours: 72,
  publicBaseUrl: "https://patrol.contoso.example",
  mailSender: SENDER,
  mailTenantId: undefined,
};

let harness: SweepHarness;
let sim: GraphSimulator;
let findingsOfRun: StoredFinding[];

const graphFor = (tenantId: string) =>
  createGraphClient({
    credential: new ClientSecretCredential(tenantId, TEST_APP_CLIENT_ID, TEST_APP_CLIENT_SECRET, {
      authorityHost: sim.authorityHost,
      disableInstanceDiscovery: true,
    }),
    baseUrl: sim.baseUrl,
  });

/** Fresh tables holding the run's findings. */
async function deps(): Promise<NotifyDeps & { findings: TableFindingsRepository; approvals: TableApprovalsRepository }> {
  const store = testStore();
  const findings = new TableFindingsRepository(store);
  await findings.applyChanges(TENANT_ID, findingsOfRun);
  return {
    findings,
    approvals: new TableApprovalsRepository(store, { now: () => NOW }),
    acceptances: new TableAcceptancesRepository(store),
    digests: new TableDigestsRepository(store),
    settings,
    graphFor,
  };
}

const sent = () => sim.tenant(TENANT_ID).sentMail(SENDER);

// The run's findings as the nightly sweep stores them (its first run of the tenant, started at AS_OF).
beforeAll(async () => {
  harness = await startSweepHarness([fixture], { enabled: false }, { onboarded: true });
  sim = harness.sim;
  expect(await runSweepToEnd(harness.app, { asOf: AS_OF, startedAt: AS_OF, trigger: "manual" })).toBe(RUN);
  findingsOfRun = await harness.app.findings.listForTenant(TENANT_ID);
}, 120_000);
afterAll(() => harness.close());
afterEach(() => {
  sim.faults.clear();
  sim.tenant(TENANT_ID).restore();
});

describe("notifyApprovers on contoso-messy", () => {
  it("creates the run's requests and sends one digest whose links verify and escape the hostile name", async () => {
    const d = await deps();
    const remediable = findingsOfRun.filter((f) => f.status === "fail" && ACTION_FOR_CONTROL[f.control] !== undefined);
    expect(remediable.length).toBeGreaterThan(10);

    const result = await notifyApprovers(d, tenant, RUN, { now: NOW });
    expect(result).toMatchObject({ status: "sent", approvals: remediable.length, created: remediable.length, deferred: 0, attempt: 1 });
    expect(result.status === "sent" && result.recipients).toEqual(["it-security@contoso.com"]);

    const [message, ...others] = sent();
    expect(others).toEqual([]);
    expect(message?.toRecipients).toEqual([{ emailAddress: { address: "it-security@contoso.com" } }]);
    const body = (message?.body as { content: string; contentType: string }).content;
    expect((message?.body as { contentType: string }).contentType).toBe("html");
    expect(body).not.toMatch(/<img/i);
    expect(body).toContain("&lt;img src=x onerror=alert(1)&gt; &quot;Bobby&quot; &amp; Tables");
    expect(body).not.toContain(HOSTILE);

    const stored = await d.approvals.listPending(TENANT_ID);
    expect(stored).toHaveLength(remediable.length);
    const links = [...body.matchAll(/href="https:\/\/patrol\.contoso\.example\/api\/approvals\/([^"?]+)\?decision=(approve|reject)"/g)];
    expect(links).toHaveLength(2 * stored.length);
    expect(body).toContain(`href="https://patrol.contoso.example/api/reports/tenants/${TENANT_ID}"`);
    for (const [, token] of links) {
      const verified = await verifyApprovalToken(token!, settings.signingKeys, NOW);
      expect(verified.ok).toBe(true);
      if (!verified.ok) continue;
      const approval = stored.find((a) => a.approvalId === verified.claims.approvalId);
      expect(approval).toBeDefined();
      expect(verified.claims).toEqual({
        tenantId: TENANT_ID,
        approvalId: approval!.approvalId,
        action: approval!.action,
        subjectId: approval!.subjectId,
        expiresAt: new Date("2026-12-01T02:20:00Z"),
      });
    }
    const bobby = stored.find((a) => a.subjectId === "d6b94b58-4552-5f6a-8d71-df62c3f5a358");
    expect(bobby).toMatchObject({
      control: "accounts.inactive-30",
      action: "block-account",
      evidence: { displayName: HOSTILE, daysInactive: 56 },
    });
  });

  it("sends nothing more when the same run notifies again, and nothing when the next run finds nothing new", async () => {
    const d = await deps();
    expect((await notifyApprovers(d, tenant, RUN, { now: NOW })).status).toBe("sent");
    expect(await notifyApprovers(d, tenant, RUN, { now: NOW })).toMatchObject({
      status: "already-sent",
      digest: { status: "sent", attempts: 1 },
    });
    expect(sent()).toHaveLength(1);

    const nextRun = "20261129T020000.000Z";
    await d.findings.applyChanges(
      TENANT_ID,
      findingsOfRun.map((f) => ({ ...f, lastRunId: nextRun, lastSeen: new Date("2026-11-29T02:00:00Z") })),
    );
    expect(await notifyApprovers(d, tenant, nextRun, { now: new Date("2026-11-29T02:20:00Z") })).toEqual({
      status: "nothing-new",
      deferred: 0,
    });
    expect(sent()).toHaveLength(1);
  });

  it("sends again after a failed send, listing the same requests", async () => {
    const d = await deps();
    const fault = sim.faults.add({ method: "POST", path: /sendMail$/i, fault: { type: "status", status: 403, code: "ErrorAccessDenied" } });
    await expect(notifyApprovers(d, tenant, RUN, { now: NOW })).rejects.toThrow();
    expect(fault.fired).toBe(1);
    expect(sent()).toHaveLength(0);
    const pending = (await d.approvals.listPending(TENANT_ID)).length;

    const retry = await notifyApprovers(d, tenant, RUN, { now: NOW });
    expect(retry).toMatchObject({ status: "sent", approvals: pending, created: 0, attempt: 2 });
    expect(sent()).toHaveLength(1);
  });

  it("creates nothing for a tenant without approvers", async () => {
    const d = await deps();
    const silent = { ...tenant, config: { ...tenant.config, approvers: [] } };
    expect(await notifyApprovers(d, silent, RUN, { now: NOW })).toEqual({ status: "no-approvers" });
    expect(await d.approvals.listForTenant(TENANT_ID)).toEqual([]);
    expect(sent()).toHaveLength(0);
  });

  it("sends through the mail tenant when one is configured", async () => {
    const d = await deps();
    const other = { ...tenant, tenantId: "aaaaaaaa-0000-4000-8000-00000000000a", displayName: "Other" };
    await d.findings.applyChanges(other.tenantId, findingsOfRun);
    const used: string[] = [];
    const viaContoso = {
      ...d,
      settings: { ...settings, mailTenantId: TENANT_ID },
      graphFor: (id: string) => (used.push(id), graphFor(id)),
    };
    expect((await notifyApprovers(viaContoso, other, RUN, { now: NOW })).status).toBe("sent");
    expect(used).toEqual([TENANT_ID]);
    expect(sent()[0]?.subject).toMatch(/for Other$/);
  });
});
