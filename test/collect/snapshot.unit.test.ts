/**
 * completeSnapshot through the fake Graph: every source read and recorded on its own, the groups
 * and admins that matter found from the roles read, per-user MFA state read for admins through
 * beta $batch; and pagedSources, which turns a finished cursor into sources.
 */
import { describe, expect, it } from "vitest";
import { PAGED_START, type PagedCursor } from "../../shared/collect/paged.js";
import { completeSnapshot, pagedSources, type PagedSources } from "../../shared/collect/snapshot.js";
import { GLOBAL_ADMINISTRATOR } from "../../shared/model/roles.js";
import type { TenantConfig } from "../../shared/model/tenant.js";
import { FakeGraph, graphError, json, page } from "../graph/fake-graph.js";

const HELPDESK_ADMINISTRATOR = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
const NOT_PRIVILEGED = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b";
const CONFIG: TenantConfig = { exclusions: { userIds: [], groupIds: ["excluded-group"] }, approvers: [] };
const PAGED: PagedSources = {
  collectedAt: "2026-11-28T02:00:00.000Z",
  users: { ok: true, data: [] },
  signInActivity: { ok: true, data: true },
  registrationDetails: { ok: true, data: [] },
};

const grant = (principalId: string, type: "user" | "group", roleDefinitionId = GLOBAL_ADMINISTRATOR) => ({
  id: `a-${principalId}`,
  principalId,
  roleDefinitionId,
  principal: { "@odata.type": `#microsoft.graph.${type}`, id: principalId },
});

const CA_POLICY = {
  id: "ca1",
  displayName: "MFA for all",
  state: "enabled",
  conditions: {
    clientAppTypes: ["all"],
    users: { includeUsers: ["All"], excludeGroups: ["ca-group"] },
    applications: { includeApplications: ["All"] },
  },
  grantControls: { operator: "OR", builtInControls: ["mfa"] },
};

/** A small tenant: two admins directly, one through a role-assignable group, one non-privileged role holder. */
function tenant(): FakeGraph {
  return new FakeGraph()
    .on(
      "GET",
      "v1.0/roleManagement/directory/roleAssignments",
      page([grant("admin-1", "user"), grant("admins-group", "group", HELPDESK_ADMINISTRATOR), grant("reader-1", "user", NOT_PRIVILEGED)]),
    )
    .on("GET", "v1.0/roleManagement/directory/roleEligibilitySchedules", page([grant("admin-2", "user")]))
    .on(
      "GET",
      "v1.0/policies/identitySecurityDefaultsEnforcementPolicy",
      json({ id: "00000000-0000-0000-0000-000000000005", isEnabled: false }),
    )
    .on("GET", "v1.0/identity/conditionalAccess/policies", page([CA_POLICY]))
    .on("GET", "v1.0/policies/authorizationPolicy", json({ defaultUserRolePermissions: { permissionGrantPoliciesAssigned: [] } }))
    .on(
      "GET",
      "v1.0/domains",
      page([{ id: "contoso.com", isVerified: true, isRoot: true, authenticationType: "Managed", passwordValidityPeriodInDays: 90 }]),
    )
    .on(
      "GET",
      "v1.0/groups/admins-group/members",
      page([
        { "@odata.type": "#microsoft.graph.user", id: "admin-3" },
        { "@odata.type": "#microsoft.graph.group", id: "nested" },
      ]),
    )
    .on("GET", "v1.0/groups/ca-group/members", page([]))
    .on("GET", "v1.0/groups/excluded-group/members", page([{ "@odata.type": "#microsoft.graph.user", id: "break-glass" }]))
    .on("GET", "beta/users/admin-1/authentication/requirements", json({ perUserMfaState: "enforced" }))
    .on("GET", "beta/users/admin-2/authentication/requirements", json({ perUserMfaState: "disabled" }))
    .on("GET", "beta/users/admin-3/authentication/requirements", json({ perUserMfaState: "enabled" }));
}

describe("completeSnapshot", () => {
  it("reads every source, the groups that matter and the admins' per-user MFA state", async () => {
    const graph = tenant();
    const progress: string[] = [];
    const snapshot = await completeSnapshot(graph.client(), "tenant-1", CONFIG, PAGED, { onProgress: (line) => progress.push(line) });

    expect(snapshot).toMatchObject({
      tenantId: "tenant-1",
      collectedAt: PAGED.collectedAt,
      users: PAGED.users,
      signInActivity: PAGED.signInActivity,
    });
    expect(snapshot.securityDefaults).toEqual({ ok: true, data: { isEnabled: false } });
    expect(snapshot.roleAssignments.ok && snapshot.roleAssignments.data).toHaveLength(3);
    expect(snapshot.conditionalAccessPolicies.ok && snapshot.conditionalAccessPolicies.data.map((p) => p.id)).toEqual(["ca1"]);
    expect(Object.keys(snapshot.groupMembers)).toEqual(["admins-group", "ca-group", "excluded-group"]);
    expect(snapshot.groupMembers["admins-group"]).toEqual({
      ok: true,
      data: [
        { id: "admin-3", type: "user" },
        { id: "nested", type: "group" },
      ],
    });
    expect(snapshot.perUserMfa).toEqual({
      "admin-1": { ok: true, data: "enforced" },
      "admin-2": { ok: true, data: "disabled" },
      "admin-3": { ok: true, data: "enabled" },
    });
    expect(graph.requestsTo("beta/$batch")).toHaveLength(1);
    expect(progress).toEqual(["reading roles and policies", "reading members of 3 group(s)", "reading per-user MFA state of 3 admin(s)"]);
  });

  it("records a refused source with its reason and code and reads the rest", async () => {
    const graph = tenant()
      .on("GET", "v1.0/roleManagement/directory/roleEligibilitySchedules", graphError(400, "AadPremiumLicenseRequired"))
      .on("GET", "v1.0/identity/conditionalAccess/policies", graphError(403, "Authorization_RequestDenied", "Insufficient privileges"))
      .on("GET", "v1.0/groups/excluded-group/members", graphError(404, "Request_ResourceNotFound"));
    const snapshot = await completeSnapshot(graph.client(), "tenant-1", CONFIG, PAGED);
    expect(snapshot.roleEligibility).toMatchObject({ ok: false, reason: "license", code: "AadPremiumLicenseRequired" });
    expect(snapshot.conditionalAccessPolicies).toEqual({
      ok: false,
      reason: "permission",
      code: "Authorization_RequestDenied",
      message: "Graph 403: Authorization_RequestDenied: Insufficient privileges: request-id request-Authorization_RequestDenied",
    });
    expect(snapshot.groupMembers["excluded-group"]).toMatchObject({ ok: false, reason: "error", code: "Request_ResourceNotFound" });
    // Without Conditional Access its groups are not known; without eligibility admin-2 is not either.
    expect(Object.keys(snapshot.groupMembers)).toEqual(["admins-group", "excluded-group"]);
    expect(Object.keys(snapshot.perUserMfa)).toEqual(["admin-1", "admin-3"]);
    expect(snapshot.securityDefaults.ok).toBe(true);
  });

  it("records a malformed answer as a failed source, never as data", async () => {
    const graph = tenant()
      .on("GET", "v1.0/policies/identitySecurityDefaultsEnforcementPolicy", json({ isEnabled: "false" }))
      .on("GET", "v1.0/domains", json({ value: "contoso.com" }))
      .on("GET", "beta/users/admin-1/authentication/requirements", json({ perUserMfaState: "sometimes" }))
      .on("GET", "beta/users/admin-3/authentication/requirements", graphError(404, "Request_ResourceNotFound", "gone"));
    const snapshot = await completeSnapshot(graph.client(), "tenant-1", CONFIG, PAGED);
    expect(snapshot.securityDefaults).toEqual({
      ok: false,
      reason: "error",
      message: "Graph returned the security defaults policy without isEnabled",
    });
    expect(snapshot.domains).toMatchObject({ ok: false, reason: "error", message: 'Graph answered /domains without a "value" array' });
    expect(snapshot.perUserMfa["admin-1"]).toEqual({ ok: false, reason: "error", message: 'unexpected perUserMfaState "sometimes"' });
    expect(snapshot.perUserMfa["admin-2"]).toEqual({ ok: true, data: "disabled" });
    expect(snapshot.perUserMfa["admin-3"]).toEqual({
      ok: false,
      reason: "error",
      message: "Graph 404: Request_ResourceNotFound: gone: request-id request-Request_ResourceNotFound",
    });
  });

  it("gives every admin the batch's failure when $batch itself fails", async () => {
    const graph = tenant().on("POST", "beta/$batch", graphError(403, "Authorization_RequestDenied"));
    const snapshot = await completeSnapshot(graph.client(), "tenant-1", CONFIG, PAGED);
    expect(Object.values(snapshot.perUserMfa).map((s) => !s.ok && s.reason)).toEqual(["permission", "permission", "permission"]);
  });

  it("stops the whole read on an authentication failure", async () => {
    const graph = tenant().on("GET", "v1.0/domains", graphError(401, "InvalidAuthenticationToken"));
    await expect(completeSnapshot(graph.client(), "tenant-1", CONFIG, PAGED)).rejects.toMatchObject({ statusCode: 401 });
  });
});

describe("pagedSources", () => {
  const done: PagedCursor = {
    users: { status: "done", pages: 1, items: 1, withSignIn: true },
    registration: { status: "done", pages: 1, items: 0 },
  };
  const user = {
    id: "u1",
    userPrincipalName: "u1@contoso.com",
    displayName: null,
    accountEnabled: true,
    userType: "Member",
    createdDateTime: null,
    onPremisesSyncEnabled: null,
  };

  it("gives the rows as sources when both collections are done", () => {
    expect(pagedSources(done, [user], [])).toEqual({
      users: { ok: true, data: [user] },
      signInActivity: { ok: true, data: true },
      registrationDetails: { ok: true, data: [] },
    });
  });

  it("gives a refused signInActivity and a failed collection their failures", () => {
    const licence = { ok: false, reason: "license", message: "no P1" } as const;
    const cursor: PagedCursor = {
      users: { ...done.users, withSignIn: false, signInFailure: licence },
      registration: { status: "failed", pages: 0, items: 0, failure: licence },
    };
    expect(pagedSources(cursor, [user], [])).toEqual({
      users: { ok: true, data: [user] },
      signInActivity: licence,
      registrationDetails: licence,
    });
    const usersFailed: PagedCursor = { ...done, users: { status: "failed", pages: 0, items: 0, withSignIn: true, failure: licence } };
    expect(pagedSources(usersFailed, [], [])).toMatchObject({ users: licence, signInActivity: licence });
  });

  it("refuses a cursor that is still reading", () => {
    expect(() => pagedSources(PAGED_START, [], [])).toThrow(new RangeError("The paged collections are not finished"));
  });
});
