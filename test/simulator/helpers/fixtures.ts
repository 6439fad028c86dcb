/** Small inline tenant fixtures for simulator tests: one builder, ids derived from numbers. */
import type { TenantFixture, FixtureGraph } from "../../../dev/simulator/index.js";

export const TENANT_A = "aaaaaaaa-0000-4000-8000-00000000000a";
export const TENANT_B = "bbbbbbbb-0000-4000-8000-00000000000b";
export const GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10";

/** Deterministic GUIDs: userId(7) → "00000000-0000-4000-8000-000000000007". */
export const userId = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
export const groupId = (n: number): string => `11111111-0000-4000-8000-${String(n).padStart(12, "0")}`;
export const spId = (n: number): string => `22222222-0000-4000-8000-${String(n).padStart(12, "0")}`;

/**
 * Adds a `v1.0/groups/{id}/members` key. (A computed key in an object literal widens to a string
 * index and no longer type-checks against FixtureGraph; an assignment keeps the pattern type.)
 */
export function withMembers(graph: FixtureGraph, group: string, members: FixtureGraph[`v1.0/groups/${string}/members`]): FixtureGraph {
  const result: FixtureGraph = { ...graph };
  result[`v1.0/groups/${group}/members`] = members;
  return result;
}

type FixtureUser = NonNullable<FixtureGraph["v1.0/users"]>[number];

export function user(n: number, extra: Partial<FixtureUser> = {}): FixtureUser {
  return {
    id: userId(n),
    userPrincipalName: `user${n}@contoso.com`,
    displayName: `User ${n}`,
    accountEnabled: true,
    userType: "Member",
    createdDateTime: "2023-01-01T00:00:00Z",
    ...extra,
  };
}

export function users(count: number, extra: (n: number) => Partial<FixtureUser> = () => ({})): FixtureUser[] {
  return Array.from({ length: count }, (_, n) => user(n, extra(n)));
}

export interface FixtureOptions {
  readonly id?: string;
  readonly displayName?: string;
  readonly license?: TenantFixture["tenant"]["license"];
  readonly graph?: FixtureGraph;
}

export function tenantFixture(options: FixtureOptions = {}): TenantFixture {
  return {
    tenant: { id: options.id ?? TENANT_A, displayName: options.displayName ?? "Contoso", license: options.license ?? "p2" },
    config: { exclusions: { userIds: [], groupIds: [] }, approvers: ["it@contoso.com"] },
    graph: options.graph ?? { "v1.0/users": users(3) },
  };
}
