/** The guardrails common to every action, Graph refusals, request checks, undo refusals, and the one-row-per-attempt rule. */
import { describe, expect, it } from "vitest";
import { REMEDIATION_PERMISSIONS } from "../../shared/remediation/permissions.js";
import { AuditWriteError, remediate, undo } from "../../shared/remediation/remediate.js";
import type { RemediationRequest } from "../../shared/model/remediation.js";
import type { AuditRepository } from "../../shared/storage/audit.js";
import { auditRow, G, NOW, request, SERVICE_PRINCIPAL, TENANT_A, TENANT_RECORD, U, useWorld } from "./world.js";

const world = useWorld();
const block = (subjectId: string) => request({ action: "block-account", control: "accounts.inactive-90", subjectId });
const DENIED = {
  type: "status",
  status: 403,
  code: "Authorization_RequestDenied",
  message: "Insufficient privileges to complete the operation.",
} as const;

describe("excluded principals", () => {
  it("refuses a user listed in the tenant's exclusions, whatever the id's case", async () => {
    for (const subjectId of [U.excluded, U.excluded.toUpperCase()]) {
      const result = await remediate(world.deps(), block(subjectId), NOW);
      expect(result.outcome).toBe("refused");
      expect(result.message).toContain("listed in this tenant's exclusions");
    }
    expect(world.writes()).toEqual([]);
    expect(world.state(`v1.0/users/${U.excluded}`).accountEnabled).toBe(true);
  });

  it("refuses a member of an excluded group, read from Graph at action time (nested groups followed)", async () => {
    const result = await remediate(world.deps(), block(U.nestedExcluded), NOW);
    expect(result.outcome).toBe("refused");
    expect(result.message).toContain("member of an excluded group");
    const reads = world.sim.tenant(TENANT_A).requests.map((r) => r.path);
    expect(reads).toContain(`v1.0/groups/${G.excluded}/members`);
    expect(reads).toContain(`v1.0/groups/${G.nested}/members`);
    expect(world.writes()).toEqual([]);
  });

  it("applies to every user action, enforce-mfa included", async () => {
    const result = await remediate(world.deps(), request({ action: "enforce-mfa", control: "mfa.admins", subjectId: U.excluded }), NOW);
    expect(result.outcome).toBe("refused");
  });

  it("stops (never passes) when an excluded group cannot be read", async () => {
    world.sim.faults.add({ path: `v1.0/groups/${G.excluded}/members`, fault: DENIED });
    const result = await remediate(world.deps(), block(U.inactive), NOW);
    expect(result.outcome).toBe("permission-denied");
    expect(result.message).toContain("could not read group members; this needs GroupMember.Read.All");
    expect(world.writes()).toEqual([]);
  });
});

it("refuses the service's own principal, resolved in the tenant from the app id (ids compared case-insensitively)", async () => {
  for (const subjectId of [SERVICE_PRINCIPAL, SERVICE_PRINCIPAL.toUpperCase()]) {
    const result = await remediate(world.deps(), block(subjectId), NOW);
    expect(result.outcome).toBe("refused");
    expect(result.message).toContain("tenant-patrol's own service principal");
  }
  expect(world.writes()).toEqual([]);
});

describe("Graph 403 → permission-denied, naming the permission", () => {
  it("on the account PATCH: User.EnableDisableAccount.All and the Entra role, with Graph's request id", async () => {
    world.sim.faults.add({ path: /users\//, method: "PATCH", fault: DENIED });
    const result = await remediate(world.deps(), block(U.inactive), NOW);
    expect(result).toMatchObject({ outcome: "permission-denied", before: { accountEnabled: true }, after: null });
    expect(result.message).toContain("could not disable the account; this needs User.EnableDisableAccount.All");
    expect(result.message).toContain("Privileged Authentication Administrator");
    expect(result.message).toContain("Insufficient privileges to complete the operation.");
    const [patch] = world.writes();
    expect(patch?.status).toBe(403);
    expect(result.graphRequestId).toBe(patch?.requestId);
    expect(await auditRow(world, result.auditId)).toMatchObject({ outcome: "permission-denied", graphRequestId: patch?.requestId });
    expect(world.state(`v1.0/users/${U.inactive}`).accountEnabled).toBe(true);
  });

  it.each([
    [
      "enforce-mfa",
      request({ action: "enforce-mfa", control: "mfa.admins", subjectId: U.adminUnregistered }),
      /authentication\/requirements$/,
      "Policy.ReadWrite.AuthenticationMethod",
    ],
    [
      "disable-user-consent",
      request({ action: "disable-user-consent", control: "apps.user-consent", subjectId: null }),
      /authorizationPolicy$/,
      "Policy.ReadWrite.Authorization",
    ],
    [
      "set-password-never-expire",
      request({ action: "set-password-never-expire", control: "password.never-expire", subjectId: "contoso.com" }),
      /domains\//,
      "Domain.ReadWrite.All",
    ],
  ] as const)("on %s's write: %s", async (_, req, path, permission) => {
    world.sim.faults.add({ path, method: "PATCH", fault: DENIED });
    const result = await remediate(world.deps(), req, NOW);
    expect(result.outcome).toBe("permission-denied");
    expect(result.message).toContain(`this needs ${permission}`);
    expect(result.graphRequestId).toBe(world.writes()[0]?.requestId);
  });

  it("a licence 403 is a failure, not a permission problem", async () => {
    world.sim.faults.add({
      path: /users\//,
      method: "GET",
      fault: {
        type: "status",
        status: 403,
        code: "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
        message: "Neither tenant is B2C or tenant doesn't have premium license",
      },
    });
    const result = await remediate(world.deps(), block(U.inactive), NOW);
    expect(result.outcome).toBe("failed");
    expect(result.message).toMatch(/^Could not read the user's account: Graph 403: Authentication_RequestFromNonPremiumTenantOrB2CTenant/);
  });

  it("other errors are `failed` with describeError's one line", async () => {
    world.sim.faults.add({
      path: "v1.0/domains/contoso.com",
      method: "PATCH",
      fault: { type: "status", status: 400, code: "Request_BadRequest", message: "Bad\nthing" },
    });
    const result = await remediate(
      world.deps(),
      request({ action: "set-password-never-expire", control: "password.never-expire", subjectId: "contoso.com" }),
      NOW,
    );
    expect(result.outcome).toBe("failed");
    expect(result.message).not.toContain("\n");
    expect(result.message).toMatch(/^Could not update the domain: Graph 400: Request_BadRequest/);
  });
});

it("the permissions table covers every action", () => {
  expect(Object.keys(REMEDIATION_PERMISSIONS).sort()).toEqual([
    "block-account",
    "disable-user-consent",
    "enforce-mfa",
    "set-password-never-expire",
  ]);
  expect(REMEDIATION_PERMISSIONS["block-account"].write).toEqual(["User.EnableDisableAccount.All", "User.RevokeSessions.All"]);
});

describe("request checks (refused and audited)", () => {
  it.each<[string, Partial<RemediationRequest>, string]>([
    [
      "an action that does not fix the control",
      { action: "enforce-mfa", control: "accounts.inactive-90", subjectId: U.inactive },
      "does not remediate",
    ],
    [
      "a user action without a subject",
      { action: "block-account", control: "accounts.inactive-90", subjectId: null },
      "needs a user object id",
    ],
    [
      "a user action with a UPN",
      { action: "block-account", control: "accounts.inactive-90", subjectId: "user1@contoso.com" },
      "is not a user object id",
    ],
    [
      "a tenant action with a subject",
      { action: "disable-user-consent", control: "apps.user-consent", subjectId: U.inactive },
      "takes no subject id",
    ],
    [
      "an unknown action",
      { action: "delete-tenant" as never, control: "accounts.inactive-90", subjectId: U.inactive },
      "unknown remediation action",
    ],
    [
      "another tenant",
      { tenantId: "bbbbbbbb-0000-4000-8000-00000000000b", action: "block-account", control: "accounts.inactive-90", subjectId: U.inactive },
      "the request is for tenant",
    ],
  ])("%s", async (_, overrides, message) => {
    const req = { ...request({ action: "block-account", control: "accounts.inactive-90", subjectId: U.inactive }), ...overrides };
    const result = await remediate(world.deps(), req, NOW);
    expect(result.outcome).toBe("refused");
    expect(result.message).toContain(message);
    expect(await world.audit.get(req.tenantId, result.auditId)).toMatchObject({ outcome: "refused" });
    expect(world.writes()).toEqual([]);
  });

  it("refuses when the tenant is disabled in tenant-patrol", async () => {
    const result = await remediate(world.deps({ tenant: { ...TENANT_RECORD, enabled: false } }), block(U.inactive), NOW);
    expect(result).toMatchObject({ outcome: "refused" });
    expect(result.message).toContain("disabled in tenant-patrol");
  });

  it("throws RangeError, before touching Graph, for what the audit row cannot hold", async () => {
    await expect(remediate(world.deps(), { ...block(U.inactive), requestedBy: " " }, NOW)).rejects.toThrow(RangeError);
    await expect(remediate(world.deps(), { ...block(U.inactive), tenantId: "a/b" }, NOW)).rejects.toThrow(RangeError);
    await expect(remediate(world.deps(), { ...block(U.inactive), channel: "email" as never }, NOW)).rejects.toThrow(RangeError);
    expect(world.sim.tenant(TENANT_A).requests).toEqual([]);
  });
});

describe("undo refusals", () => {
  const undoRequest = (auditId: string) => ({ tenantId: TENANT_A, auditId, channel: "api", requestedBy: "ticket-4711" }) as const;

  it("refuses to undo an attempt that changed nothing (stale, refused, failed before any write)", async () => {
    const stale = await remediate(world.deps(), block(U.active), NOW);
    const result = await undo(world.deps(), undoRequest(stale.auditId));
    expect(result).toMatchObject({ outcome: "refused" });
    expect(result.message).toContain("ended stale without changing anything");
    expect(await auditRow(world, result.auditId)).toMatchObject({
      mode: "undo",
      undoOf: stale.auditId,
      action: "block-account",
      outcome: "refused",
    });
  });

  it("refuses an undo of an undo", async () => {
    const done = await remediate(world.deps(), block(U.inactive), NOW);
    const undone = await undo(world.deps(), undoRequest(done.auditId));
    const result = await undo(world.deps(), undoRequest(undone.auditId));
    expect(result.outcome).toBe("refused");
    expect(result.message).toContain("is itself an undo");
  });

  it("refuses unknown and malformed audit ids, still writing a row", async () => {
    const unknown = await undo(world.deps(), undoRequest("20260101T000000.000Z-000000000000"));
    expect(unknown).toMatchObject({ outcome: "refused" });
    expect(await auditRow(world, unknown.auditId)).toMatchObject({
      action: null,
      control: null,
      undoOf: "20260101T000000.000Z-000000000000",
    });
    const malformed = await undo(world.deps(), undoRequest("../../etc/passwd"));
    expect(malformed.outcome).toBe("refused");
    expect(malformed.message).toContain("is not an audit id");
  });

  it("refuses to re-enable a user who has become excluded since", async () => {
    const done = await remediate(world.deps(), block(U.inactive), NOW);
    const tenant = { ...TENANT_RECORD, config: { ...TENANT_RECORD.config, exclusions: { userIds: [U.inactive], groupIds: [] } } };
    const result = await undo(world.deps({ tenant }), undoRequest(done.auditId));
    expect(result.outcome).toBe("refused");
    expect(world.state(`v1.0/users/${U.inactive}`).accountEnabled).toBe(false);
  });
});

describe("one audit row per attempt", () => {
  it("writes exactly one row for each remediate and undo call, whatever the outcome", async () => {
    const before = (await world.audit.listForTenant(TENANT_A, { limit: 1000 })).length;
    const results = [
      await remediate(world.deps(), block(U.inactive), NOW), // done
      await remediate(world.deps(), block(U.active), NOW), // stale
      await remediate(world.deps(), block(U.synced), NOW), // refused
    ];
    world.sim.faults.add({ path: /users\//, method: "PATCH", fault: DENIED });
    results.push(await remediate(world.deps(), block(U.inactive30), NOW)); // permission-denied
    world.sim.faults.clear();
    results.push(await undo(world.deps(), { tenantId: TENANT_A, auditId: results[0]?.auditId ?? "", channel: "api", requestedBy: "x" }));
    expect(results.map((r) => r.outcome)).toEqual(["done", "stale", "refused", "permission-denied", "done"]);

    const rows = await world.audit.listForTenant(TENANT_A, { limit: 1000 });
    expect(rows.length - before).toBe(5);
    const ids = new Set(rows.map((row) => row.auditId));
    for (const result of results) expect(ids.has(result.auditId)).toBe(true);
  });

  it("an unexpected error gets a generic public message, and its details go to the log", async () => {
    const lines: string[] = [];
    const log = { info: (line: string) => lines.push(line), warn: (line: string) => lines.push(line) };
    const graph = world.deps().graph;
    const broken = {
      ...graph,
      client: {
        api: () => {
          throw new TypeError("internal detail 42");
        },
      } as unknown as typeof graph.client,
    };
    const result = await remediate(world.deps({ graph: broken, log }), block(U.inactive), NOW);
    expect(result.outcome).toBe("failed");
    expect(result.message).toContain("an unexpected TypeError occurred (details in the function log)");
    expect(result.message).not.toContain("internal detail 42");
    expect(lines.some((line) => line.includes("stopped: could not") && line.includes("internal detail 42"))).toBe(true);
  });

  it("a failed audit write is an AuditWriteError carrying what should have been recorded", async () => {
    const broken: AuditRepository = {
      record: () => Promise.reject(new Error("storage down")),
      get: () => Promise.resolve(undefined),
      listForTenant: () => Promise.resolve([]),
      listActionAfter: () => Promise.resolve([]),
    };
    const error = await remediate(world.deps({ audit: broken }), block(U.inactive), NOW).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuditWriteError);
    expect((error as AuditWriteError).entry).toMatchObject({ outcome: "done", subjectId: U.inactive, after: { accountEnabled: false } });
  });
});
