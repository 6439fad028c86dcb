import { describe, expect, it } from "vitest";
import { approvalIdFor, createApprovalRequests, planApprovals, type PlanApprovalsInput } from "../../shared/approvals/plan.js";
import { actionFor, DEFAULT_REMEDIATION_POLICY, remediationPolicy } from "../../shared/remediation/policy.js";
import type { Approval } from "../../shared/model/approval.js";
import type { StoredFinding } from "../../shared/model/stored.js";
import type { TenantRecord } from "../../shared/model/tenant.js";
import { acceptanceIndex } from "../../shared/model/stored.js";
import { TableAcceptancesRepository } from "../../shared/storage/acceptances.js";
import { TableApprovalsRepository } from "../../shared/storage/approvals.js";
import { TableFindingsRepository } from "../../shared/storage/findings.js";
import { testStore } from "../storage/store.js";

const TENANT = "11111111-1111-4111-8111-111111111111";
const RUN = "20261128T020000.000Z";
const PREVIOUS_RUN = "20261127T020000.000Z";
const NOW = new Date("2026-11-28T02:30:00Z");
const USER = "d6b94b58-4552-5f6a-8d71-df62c3f5a358";

const tenant = (config: Partial<TenantRecord["config"]> = {}): TenantRecord => ({
  tenantId: TENANT,
  displayName: "Contoso",
  enabled: true,
  config: { approvers: ["it@contoso.com"], exclusions: { userIds: [], groupIds: [] }, ...config },
});

/** The known-good finding: an inactive account this run failed. Each test changes one thing. */
const finding = (overrides: Partial<StoredFinding> = {}): StoredFinding => ({
  control: "accounts.inactive-90",
  subjectId: USER,
  status: "fail",
  severity: "medium",
  detail: { userPrincipalName: "bobby.tables@contoso.com", displayName: "Bobby", daysInactive: 120 },
  firstSeen: new Date("2026-10-01T02:00:00Z"),
  lastSeen: new Date("2026-11-28T02:00:00Z"),
  resolvedAt: null,
  lastRunId: RUN,
  ...overrides,
});

const input = (overrides: Partial<PlanApprovalsInput> = {}): PlanApprovalsInput => ({
  findings: [finding()],
  tenant: tenant(),
  runId: RUN,
  now: NOW,
  ttlHours: 72,
  existing: [],
  accepted: new Map(),
  ...overrides,
});

const plan = (overrides: Partial<PlanApprovalsInput> = {}) => planApprovals(input(overrides));

describe("planApprovals", () => {
  it("turns a failing remediable finding of this run into a pending request with its evidence", () => {
    const [approval, ...rest] = plan();
    expect(rest).toEqual([]);
    expect(approval).toEqual({
      tenantId: TENANT,
      approvalId: approvalIdFor(TENANT, "accounts.inactive-90", USER, "block-account", RUN),
      runId: RUN,
      control: "accounts.inactive-90",
      subjectId: USER,
      action: "block-account",
      evidence: finding().detail,
      createdAt: NOW,
      expiresAt: new Date("2026-12-01T02:30:00Z"),
      state: "pending",
      decidedBy: null,
      decidedAt: null,
      outcome: null,
      outcomeMessage: null,
      auditId: null,
      undo: null,
    });
  });

  it("maps each remediable control to its action", () => {
    const findings = [
      finding({ control: "accounts.inactive-30", subjectId: "u30", severity: "low" }),
      finding({ control: "mfa.admins", subjectId: "admin", severity: "high", detail: { reason: "not-enforced" } }),
      finding({ control: "apps.user-consent", subjectId: null }),
      finding({ control: "password.never-expire", subjectId: "contoso.com", severity: "low" }),
      finding({ control: "mfa.all-users", subjectId: null, severity: "high" }),
    ];
    expect(plan({ findings }).map((a) => [a.control, a.action])).toEqual([
      ["mfa.admins", "enforce-mfa"],
      ["apps.user-consent", "disable-user-consent"],
      ["accounts.inactive-30", "block-account"],
      ["password.never-expire", "set-password-never-expire"],
    ]);
  });

  it("ignores findings that are not failing (unknown proves nothing)", () => {
    expect(plan({ findings: [finding({ status: "unknown" })] })).toEqual([]);
    expect(plan({ findings: [finding({ status: "pass" })] })).toEqual([]);
  });

  it("ignores resolved findings", () => {
    expect(plan({ findings: [finding({ resolvedAt: NOW })] })).toEqual([]);
  });

  it("ignores findings this run did not write (a partial scan's stale rows)", () => {
    expect(plan({ findings: [finding({ lastRunId: PREVIOUS_RUN })] })).toEqual([]);
  });

  it("ignores actions the tenant turned off", () => {
    expect(plan({ tenant: tenant({ remediation: { actions: ["enforce-mfa"] } }) })).toEqual([]);
    expect(plan({ tenant: tenant({ remediation: { actions: [] } }) })).toEqual([]);
  });

  it("blocks unregistered admins instead of requiring MFA only when the tenant says so", () => {
    const admin = finding({
      control: "mfa.admins",
      severity: "high",
      detail: { reason: "not-registered", roles: ["Global Administrator"] },
    });
    expect(plan({ findings: [admin] }).map((a) => a.action)).toEqual(["enforce-mfa"]);
    const blocking = tenant({ remediation: { blockUnregisteredAdmins: true } });
    expect(plan({ findings: [admin], tenant: blocking }).map((a) => a.action)).toEqual(["block-account"]);
    const notEnforced = finding({ control: "mfa.admins", severity: "high", detail: { reason: "not-enforced" } });
    expect(plan({ findings: [notEnforced], tenant: blocking }).map((a) => a.action)).toEqual(["enforce-mfa"]);
  });

  it("skips findings whose subject does not fit the action", () => {
    expect(plan({ findings: [finding({ subjectId: null })] })).toEqual([]);
    expect(plan({ findings: [finding({ control: "apps.user-consent", subjectId: "x" })] })).toEqual([]);
  });

  it("skips a user in the tenant's excluded ids (second lock behind the control)", () => {
    expect(plan({ tenant: tenant({ exclusions: { userIds: [USER.toUpperCase()], groupIds: [] } }) })).toEqual([]);
  });

  it("skips a finding with a pending request for the same control, subject and action", () => {
    const [pending] = plan({
      runId: PREVIOUS_RUN,
      findings: [finding({ lastRunId: PREVIOUS_RUN })],
      now: new Date("2026-11-27T02:30:00Z"),
    });
    expect(plan({ existing: [pending!] })).toEqual([]);
    // Same subject, other control: not the same request.
    expect(plan({ existing: [{ ...pending!, control: "accounts.inactive-30" }] })).toHaveLength(1);
  });

  it("skips a finding whose approved request still awaits its outcome, within its window", () => {
    const [earlier] = plan({
      runId: PREVIOUS_RUN,
      findings: [finding({ lastRunId: PREVIOUS_RUN })],
      now: new Date("2026-11-27T02:30:00Z"),
    });
    const approved: Approval = { ...earlier!, state: "approved", decidedBy: "it@contoso.com", decidedAt: NOW };
    expect(plan({ existing: [approved] })).toEqual([]);
    expect(plan({ existing: [{ ...approved, outcome: "failed" }] })).toHaveLength(1);
  });

  it("never asks about a finding whose risk is accepted", () => {
    const acceptance = {
      tenantId: tenant().tenantId,
      control: finding().control,
      subjectId: finding().subjectId,
      reason: "kept for the auditors",
      acceptedBy: "analyst@msp.example",
      acceptedAt: NOW,
      expiresAt: new Date(NOW.getTime() + 86_400_000),
    };
    expect(plan()).toHaveLength(1);
    expect(plan({ accepted: acceptanceIndex([acceptance]) })).toEqual([]);
    expect(plan({ accepted: acceptanceIndex([{ ...acceptance, subjectId: "someone-else" }]) })).toHaveLength(1);
  });

  it("asks again after a rejection or an expiry", () => {
    const [earlier] = plan({
      runId: PREVIOUS_RUN,
      findings: [finding({ lastRunId: PREVIOUS_RUN })],
      now: new Date("2026-11-27T02:30:00Z"),
    });
    expect(plan({ existing: [{ ...earlier!, state: "rejected" }] })).toHaveLength(1);
    expect(plan({ existing: [{ ...earlier!, state: "expired" }] })).toHaveLength(1);
    // Still stored as pending, but its window closed before `now`.
    expect(plan({ existing: [{ ...earlier!, expiresAt: NOW }] })).toHaveLength(1);
  });

  it("is deterministic: re-planning the same run gives the same ids; another run gives new ones", () => {
    expect(plan()).toEqual(plan());
    expect(plan({ now: new Date(NOW.getTime() + 60_000) })[0]!.approvalId).toBe(plan()[0]!.approvalId);
    const next = plan({ runId: "20261129T020000.000Z", findings: [finding({ lastRunId: "20261129T020000.000Z" })] });
    expect(next[0]!.approvalId).not.toBe(plan()[0]!.approvalId);
  });

  it("caps the requests per run, most severe first", () => {
    const findings = [
      ...Array.from({ length: 5 }, (_, i) => finding({ control: "accounts.inactive-30", subjectId: `low-${i}`, severity: "low" })),
      finding({ control: "mfa.admins", subjectId: "admin", severity: "high", detail: { reason: "not-enforced" } }),
    ];
    expect(plan({ findings, maxRequests: 2 }).map((a) => a.subjectId)).toEqual(["admin", "low-0"]);
    expect(plan({ findings })).toHaveLength(6);
  });

  it("refuses a ttl that is not a positive number", () => {
    expect(() => plan({ ttlHours: 0 })).toThrow(RangeError);
    expect(() => plan({ ttlHours: Number.NaN })).toThrow(RangeError);
  });
});

describe("remediation policy", () => {
  it("defaults to every action, approval required, no blocking of unregistered admins", () => {
    const policy = remediationPolicy(tenant().config);
    expect(policy).toEqual(DEFAULT_REMEDIATION_POLICY);
    expect([...policy.actions].sort()).toEqual(["block-account", "disable-user-consent", "enforce-mfa", "set-password-never-expire"]);
    expect(policy.requireApproval).toBe(true);
    expect(policy.blockUnregisteredAdmins).toBe(false);
  });

  it("gives an unregistered admin no request when block-account is off and blocking is asked for", () => {
    const policy = remediationPolicy(tenant({ remediation: { blockUnregisteredAdmins: true, actions: ["enforce-mfa"] } }).config);
    expect(actionFor({ control: "mfa.admins", detail: { reason: "not-registered" } }, policy)).toBeUndefined();
  });
});

describe("createApprovalRequests against Table Storage", () => {
  it("writes the run's requests once, and a re-run lists the same ones without writing", async () => {
    const store = testStore();
    const deps = {
      findings: new TableFindingsRepository(store),
      approvals: new TableApprovalsRepository(store, { now: () => NOW }),
      acceptances: new TableAcceptancesRepository(store),
    };
    await deps.findings.applyChanges(TENANT, [
      finding(),
      finding({ control: "mfa.admins", subjectId: "admin", severity: "high", detail: { reason: "not-enforced" } }),
      finding({ subjectId: "stale", lastRunId: PREVIOUS_RUN }),
      finding({ subjectId: "unknown", status: "unknown" }),
    ]);
    const first = await createApprovalRequests(deps, tenant(), RUN, { ttlHours: 72, now: NOW });
    expect(first.created.map((a) => a.subjectId)).toEqual(["admin", USER]);
    expect(first.toEmail.map((a) => a.control)).toEqual(["accounts.inactive-90", "mfa.admins"]);
    expect(first.deferred).toBe(0);

    const again = await createApprovalRequests(deps, tenant(), RUN, { ttlHours: 72, now: NOW });
    expect(again.created).toEqual([]);
    expect(again.toEmail).toEqual(first.toEmail);
    expect(await deps.approvals.listForTenant(TENANT)).toHaveLength(2);

    const nextNight = "20261129T020000.000Z";
    await deps.findings.applyChanges(TENANT, [finding({ lastRunId: nextNight })]);
    const next = await createApprovalRequests(deps, tenant(), nextNight, { ttlHours: 72, now: new Date("2026-11-29T02:30:00Z") });
    expect(next).toEqual({ created: [], toEmail: [], deferred: 0 });
  });

  it("counts an earlier attempt's requests against the per-run cap", async () => {
    const store = testStore();
    const deps = {
      findings: new TableFindingsRepository(store),
      approvals: new TableApprovalsRepository(store, { now: () => NOW }),
      acceptances: new TableAcceptancesRepository(store),
    };
    await deps.findings.applyChanges(
      TENANT,
      Array.from({ length: 5 }, (_, i) => finding({ subjectId: `user-${i}` })),
    );
    const first = await createApprovalRequests(deps, tenant(), RUN, { ttlHours: 72, now: NOW, maxRequests: 3 });
    expect([first.created.length, first.deferred]).toEqual([3, 2]);
    const retry = await createApprovalRequests(deps, tenant(), RUN, { ttlHours: 72, now: NOW, maxRequests: 3 });
    expect([retry.created.length, retry.toEmail.length, retry.deferred]).toEqual([0, 3, 2]);
  });
});
