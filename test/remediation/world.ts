/**
 * One known-good tenant for remediation tests (each test changes what it is about), the simulator
 * and Azurite around it, and the deps remediate() takes. Ids from the simulator helpers.
 */
import { ClientSecretCredential } from "@azure/identity";
import { afterAll, afterEach, beforeAll } from "vitest";
import {
  startGraphSimulator,
  TEST_APP_CLIENT_ID,
  TEST_APP_CLIENT_SECRET,
  type GraphSimulator,
  type FixtureGraph,
  type TenantFixture,
} from "../../dev/simulator/index.js";
import { createGraphClient, type TenantGraph } from "../../shared/graph/client.js";
import type { TenantConfig, TenantRecord } from "../../shared/model/tenant.js";
import type { RemediationDeps } from "../../shared/remediation/remediate.js";
import type { RemediationRequest } from "../../shared/model/remediation.js";
import { TableApprovalsRepository } from "../../shared/storage/approvals.js";
import { TableAuditRepository, type AuditEntry } from "../../shared/storage/audit.js";
import { TableAcceptancesRepository } from "../../shared/storage/acceptances.js";
import { TableTenantLeaseRepository } from "../../shared/storage/tenant-leases.js";
import { GLOBAL_ADMIN, groupId, TENANT_A, tenantFixture, user, userId, withMembers } from "../simulator/helpers/fixtures.js";
import { testStore } from "../storage/store.js";

/** The instant findings are judged at (as the demo tenants do). */
export const NOW = new Date("2026-11-28T02:00:00Z");
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString().replace(/\.\d{3}Z$/, "Z");
const signedIn = (days: number) => ({
  signInActivity: {
    lastSignInDateTime: daysAgo(days),
    lastNonInteractiveSignInDateTime: null,
    lastSuccessfulSignInDateTime: daysAgo(days),
  },
});

/** Users by role in the fixture. */
export const U = {
  /** Inactive 120 days (accounts.inactive-90). */
  inactive: userId(1),
  /** Inactive 45 days (accounts.inactive-30). */
  inactive30: userId(2),
  /** Signed in 3 days ago. */
  active: userId(3),
  /** Already disabled. */
  disabled: userId(4),
  /** Inactive, but on-premises synced. */
  synced: userId(5),
  /** Inactive, listed in config exclusions. */
  excluded: userId(6),
  /** Inactive, member of a group nested in an excluded group. */
  nestedExcluded: userId(7),
  /** Never signed in, created 200 days ago. */
  neverSignedIn: userId(8),
  /** Global Administrator (direct), inactive 100 days. */
  gaInactive: userId(10),
  /** Global Administrator through the role-assignable group. */
  gaViaGroup: userId(11),
  /** Global Administrator (direct), disabled. */
  gaDisabled: userId(12),
  /** Security admin, not registered for MFA; per-user MFA disabled. */
  adminUnregistered: userId(20),
  /** Security admin registered for MFA; per-user MFA enforced. */
  adminEnforced: userId(21),
  /** Security admin registered for MFA; per-user MFA enabled (not enforced). */
  adminRegistered: userId(22),
} as const;

export const G = { excluded: groupId(1), nested: groupId(2), tier0: groupId(3) } as const;
export const SERVICE_PRINCIPAL = "22222222-0000-4000-8000-000000000001";
export const SECURITY_ADMIN = "194ae4cb-b126-40b2-bd5b-6091b380977d";
export const OWNED_RESOURCE = "ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team";
export const CUSTOM_SELF = "ManagePermissionGrantsForSelf.contoso-reviewed-apps";
export const LEGACY = "ManagePermissionGrantsForSelf.microsoft-user-default-legacy";

const CONFIG: TenantConfig = { exclusions: { userIds: [U.excluded], groupIds: [G.excluded] }, approvers: ["it@contoso.com"] };

const registration = (id: string, isMfaRegistered: boolean) => ({
  id,
  userPrincipalName: `${id}@contoso.com`,
  userDisplayName: id,
  isMfaRegistered,
});

function graph(): FixtureGraph {
  let g: FixtureGraph = {
    "v1.0/users": [
      user(1, signedIn(120)),
      user(2, signedIn(45)),
      user(3, signedIn(3)),
      user(4, { ...signedIn(200), accountEnabled: false }),
      user(5, { ...signedIn(150), onPremisesSyncEnabled: true }),
      user(6, signedIn(300)),
      user(7, signedIn(300)),
      user(8, { createdDateTime: daysAgo(200) }),
      user(10, signedIn(100)),
      user(11, signedIn(1)),
      user(12, { ...signedIn(400), accountEnabled: false }),
      user(20, signedIn(1)),
      user(21, signedIn(1)),
      user(22, signedIn(1)),
    ],
    "v1.0/groups": [
      { id: G.excluded, displayName: "SG-Break-Glass", securityEnabled: true, mailEnabled: false, mailNickname: "bg" },
      { id: G.nested, displayName: "SG-Service", securityEnabled: true, mailEnabled: false, mailNickname: "svc" },
      { id: G.tier0, displayName: "SG-Tier0", securityEnabled: true, mailEnabled: false, mailNickname: "t0", isAssignableToRole: true },
    ],
    "v1.0/servicePrincipals": [{ id: SERVICE_PRINCIPAL, appId: TEST_APP_CLIENT_ID, displayName: "tenant-patrol" }],
    "v1.0/roleManagement/directory/roleAssignments": [
      { id: "ra-1", principalId: U.gaInactive, roleDefinitionId: GLOBAL_ADMIN, directoryScopeId: "/" },
      { id: "ra-2", principalId: G.tier0, roleDefinitionId: GLOBAL_ADMIN, directoryScopeId: "/" },
      { id: "ra-3", principalId: U.gaDisabled, roleDefinitionId: GLOBAL_ADMIN, directoryScopeId: "/" },
      { id: "ra-4", principalId: SERVICE_PRINCIPAL, roleDefinitionId: GLOBAL_ADMIN, directoryScopeId: "/" },
      { id: "ra-5", principalId: U.adminUnregistered, roleDefinitionId: SECURITY_ADMIN, directoryScopeId: "/" },
      { id: "ra-6", principalId: U.adminEnforced, roleDefinitionId: SECURITY_ADMIN, directoryScopeId: "/" },
      { id: "ra-7", principalId: U.adminRegistered, roleDefinitionId: SECURITY_ADMIN, directoryScopeId: "/" },
    ],
    "v1.0/reports/authenticationMethods/userRegistrationDetails": [
      registration(U.adminUnregistered, false),
      registration(U.adminEnforced, true),
      registration(U.adminRegistered, true),
    ],
    "beta/users/00000000-0000-4000-8000-000000000021/authentication/requirements": { perUserMfaState: "enforced" },
    "beta/users/00000000-0000-4000-8000-000000000022/authentication/requirements": { perUserMfaState: "enabled" },
    "v1.0/policies/authorizationPolicy": {
      defaultUserRolePermissions: { permissionGrantPoliciesAssigned: [LEGACY, OWNED_RESOURCE, CUSTOM_SELF] },
    },
    "v1.0/domains": [
      { id: "contoso.com", isVerified: true, authenticationType: "Managed", passwordValidityPeriodInDays: 90 },
      { id: "contoso.onmicrosoft.com", isVerified: true, authenticationType: "Managed", passwordValidityPeriodInDays: 2147483647 },
      { id: "contoso-partners.com", isVerified: true, authenticationType: "Federated", passwordValidityPeriodInDays: 90 },
    ],
  };
  const ref = (id: string) => ({ "@odata.type": "#microsoft.graph.user", id });
  g = withMembers(g, G.excluded, [{ "@odata.type": "#microsoft.graph.group", id: G.nested }]);
  g = withMembers(g, G.nested, [ref(U.nestedExcluded)]);
  g = withMembers(g, G.tier0, [ref(U.gaViaGroup)]);
  return g;
}

export function fixture(): TenantFixture {
  return { ...tenantFixture({ graph: graph() }), config: CONFIG };
}

/** tenant-patrol as the deps know it: the test app (its service principal is SERVICE_PRINCIPAL) and a sender mailbox. */
export const SELF = { appId: TEST_APP_CLIENT_ID, mailSender: "patrol-mail@contoso.com" } as const;

export const TENANT_RECORD: TenantRecord = { tenantId: TENANT_A, displayName: "Contoso", enabled: true, config: CONFIG };

export interface World {
  readonly sim: GraphSimulator;
  readonly audit: TableAuditRepository;
  readonly approvals: TableApprovalsRepository;
  deps(overrides?: Partial<RemediationDeps>): RemediationDeps;
  /** Current simulator state at a Graph path. */
  state(path: string): Record<string, unknown>;
  /** Graph writes the simulator saw (PATCH/POST), in order. */
  writes(): { method: string; path: string; requestId: string; status: number }[];
}

export function graphClient(sim: GraphSimulator, tenantId = TENANT_A): TenantGraph {
  const credential = new ClientSecretCredential(tenantId, TEST_APP_CLIENT_ID, TEST_APP_CLIENT_SECRET, {
    authorityHost: sim.authorityHost,
    disableInstanceDiscovery: true,
  });
  return createGraphClient({ credential, baseUrl: sim.baseUrl, retry: { maxRetries: 1, baseDelayInMs: 1 } });
}

export interface WorldOptions {
  readonly fixtures?: () => (TenantFixture | string)[];
  /** The tenant the deps act on (default: the inline fixture's). */
  readonly tenant?: TenantRecord;
}

/** Registers beforeAll/afterEach/afterAll hooks for a test file and returns the world they manage. */
export function useWorld(options: WorldOptions = {}): World {
  const tenant = options.tenant ?? TENANT_RECORD;
  let sim: GraphSimulator | undefined;
  let client: TenantGraph | undefined;
  const store = testStore();
  const audit = new TableAuditRepository(store);
  const approvals = new TableApprovalsRepository(store);
  const leases = new TableTenantLeaseRepository(store);
  const acceptances = new TableAcceptancesRepository(store);
  beforeAll(async () => {
    sim = await startGraphSimulator({ fixtures: options.fixtures?.() ?? [fixture()], throttling: { enabled: false } });
    client = graphClient(sim, tenant.tenantId);
  });
  afterEach(() => {
    sim?.faults.clear();
    for (const id of sim?.tenantIds ?? []) {
      sim?.tenant(id).restore();
      sim?.tenant(id).reset();
    }
  });
  afterAll(() => sim?.close());
  const need = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the world is not started (beforeAll)");
    return value;
  };
  return {
    get sim() {
      return need(sim);
    },
    audit,
    approvals,
    deps: (overrides = {}) => {
      // The tenant's registration as remediate() reads it under the lease: the record these deps act on.
      const record = overrides.tenant ?? tenant;
      const tenants = { get: (id: string) => Promise.resolve(id.toLowerCase() === record.tenantId.toLowerCase() ? record : undefined) };
      return { graph: need(client), audit, approvals, leases, acceptances, tenant: record, tenants, self: SELF, ...overrides };
    },
    state: (path) => need(sim).tenant(tenant.tenantId).get(path) as Record<string, unknown>,
    writes: () =>
      need(sim)
        .tenant(tenant.tenantId)
        .requests.filter((r) => r.method !== "GET" && !r.path.endsWith("$batch"))
        .map((r) => ({ method: r.method, path: r.path, requestId: r.requestId, status: r.status })),
  };
}

export function request(
  overrides: Partial<RemediationRequest> & Pick<RemediationRequest, "action" | "control" | "subjectId">,
): RemediationRequest {
  return { tenantId: TENANT_A, channel: "approval", requestedBy: "approver@contoso.com", approvalId: "appr-1", ...overrides };
}

/** The audit row of a result, asserting it exists. */
export async function auditRow(world: World, auditId: string, tenantId = TENANT_A): Promise<AuditEntry> {
  const row = await world.audit.get(tenantId, auditId);
  if (!row) throw new Error(`no audit row ${auditId}`);
  return row;
}

export { TENANT_A };
