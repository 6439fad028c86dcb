/** A run's events as one message per sink: filters, stable ids, no message when nothing is left. */
import { describe, expect, it } from "vitest";
import type { SinkConfig } from "../../shared/model/events.js";
import type { FindingEvent, StoredFinding } from "../../shared/model/stored.js";
import { findingExternalId, messageForSink, runExternalId, runOutboundEvents, type RunEvents } from "../../shared/notify/message.js";
import { signatureHeader } from "../../shared/notify/signing.js";
import { sinksForTenant } from "../../shared/notify/sinks.js";
import type { TenantRun } from "../../shared/storage/runs.js";
import { verifySignature } from "./receiver.js";

const TENANT = "11111111-1111-4111-8111-111111111111";
const RUN = "20261128T020000.000Z";
const AT = new Date("2026-11-28T02:05:00Z");

const run = (status: TenantRun["status"], reason: string | null = null): TenantRun => ({
  runId: RUN,
  tenantId: TENANT,
  status,
  reason,
  notes: [],
  counts: {},
  requestCount: 0,
  startedAt: AT,
  finishedAt: AT,
  attempt: 1,
});

const event = (control: FindingEvent["control"], subjectId: string | null, kind: FindingEvent["event"]): FindingEvent => ({
  runId: RUN,
  control,
  subjectId,
  event: kind,
  statusBefore: kind === "new" ? null : "fail",
  statusAfter: kind === "resolved" ? "pass" : "fail",
  at: AT,
});

const finding = (control: StoredFinding["control"], subjectId: string | null, severity: StoredFinding["severity"]): StoredFinding => ({
  control,
  subjectId,
  status: "fail",
  severity,
  detail: { displayName: "**Megan**", userPrincipalName: "megan@contoso.com" },
  firstSeen: AT,
  lastSeen: AT,
  resolvedAt: null,
  lastRunId: RUN,
});

const input: RunEvents = {
  tenant: { tenantId: TENANT, displayName: "Contoso" },
  run: run("partial", "Could not read domains"),
  events: [
    event("accounts.inactive-30", "u1", "new"),
    event("mfa.admins", "u2", "reopened"),
    event("apps.user-consent", null, "resolved"),
    event("mfa.admins", "u3", "changed"),
  ],
  findings: [
    finding("accounts.inactive-30", "u1", "low"),
    finding("mfa.admins", "u2", "high"),
    finding("apps.user-consent", null, "medium"),
  ],
};
const all = runOutboundEvents(input);
const webhook = (filter: Partial<SinkConfig> = {}): SinkConfig =>
  ({ id: "psa", kind: "webhook", url: "https://h.example", secret: "s".repeat(32), ...filter }) as SinkConfig;

describe("the run's events", () => {
  it("lists the run's own event first, then findings most severe first; `changed` does not notify", () => {
    expect(all.map((e) => e.kind)).toEqual(["run-partial", "finding-reopened", "finding-resolved", "finding-new"]);
    expect(all[0]).toMatchObject({ externalId: runExternalId(TENANT, RUN), reason: "Could not read domains" });
  });

  it("gives a finding the same externalId in every run, and different ones to different subjects", () => {
    expect(findingExternalId(TENANT, "mfa.admins", "u2")).toBe(findingExternalId(TENANT.toUpperCase(), "mfa.admins", "u2"));
    expect(findingExternalId(TENANT, "mfa.admins", "u2")).not.toBe(findingExternalId(TENANT, "mfa.admins", "u3"));
    expect(findingExternalId(TENANT, "apps.user-consent", null)).not.toBe(findingExternalId(TENANT, "apps.user-consent", "null"));
  });
});

describe("messageForSink", () => {
  it("keeps every event without a filter", () => {
    expect(messageForSink(input, all, webhook())?.events).toHaveLength(4);
  });

  it("narrows by minimum severity (run events always pass) and by kinds", () => {
    expect(messageForSink(input, all, webhook({ minSeverity: "high" }))?.events.map((e) => e.kind)).toEqual([
      "run-partial",
      "finding-reopened",
    ]);
    expect(messageForSink(input, all, webhook({ eventKinds: ["finding-resolved"] }))?.events.map((e) => e.kind)).toEqual([
      "finding-resolved",
    ]);
  });

  it("sends nothing when the filter leaves nothing, or the sink is for other tenants", () => {
    expect(messageForSink(input, all, webhook({ eventKinds: ["run-failed"] }))).toBeUndefined();
    expect(messageForSink(input, all, webhook({ tenants: ["22222222-2222-4222-8222-222222222222"] }))).toBeUndefined();
    expect(messageForSink(input, all, webhook({ tenants: [TENANT.toUpperCase()] }))).toBeDefined();
  });

  it("sends nothing for a completed run without events (unchanged findings)", () => {
    const quiet = { ...input, run: run("completed"), events: [] };
    expect(messageForSink(quiet, runOutboundEvents(quiet), webhook())).toBeUndefined();
  });
});

describe("sinksForTenant", () => {
  it("adds the tenant's sinks to the fleet's, and one with a fleet sink's id replaces it", () => {
    const fleet = [webhook(), webhook({ id: "noc" })];
    const own = webhook({ id: "psa", minSeverity: "high" });
    const config = { exclusions: { userIds: [], groupIds: [] }, approvers: [], notify: { sinks: [own, webhook({ id: "extra" })] } };
    expect(sinksForTenant(fleet, { config }).map((s) => [s.id, s.minSeverity])).toEqual([
      ["noc", undefined],
      ["psa", "high"],
      ["extra", undefined],
    ]);
  });
});

describe("signatureHeader", () => {
  it("verifies with the runbook's check, and not with another secret, body or an old timestamp", () => {
    const body = '{"a":1}';
    const header = signatureHeader("secret-1", body, AT);
    const now = AT.getTime() / 1000;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature("secret-1", header, body, now + 10)).toBe(true);
    expect(verifySignature("secret-2", header, body, now)).toBe(false);
    expect(verifySignature("secret-1", header, '{"a":2}', now)).toBe(false);
    expect(verifySignature("secret-1", header, body, now + 301)).toBe(false);
  });
});
