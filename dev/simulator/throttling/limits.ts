/**
 * Graph's service limits the simulator enforces (graph-facts §6, learn throttling-limits
 * 2026-02). Windows are in simulated seconds; the time scale shrinks them in real time.
 */

export type LimitKind = "resourceUnits" | "writes" | "reports" | "signInActivity" | "conditionalAccess" | "mailbox";

export type LimitScope = "app+tenant" | "app" | "tenant" | "app+mailbox";

export interface LimitSpec {
  readonly id: string;
  readonly kind: LimitKind;
  readonly scope: LimitScope;
  /** Tokens per window; the identity bucket depends on the tenant's size. */
  readonly capacity: (userCount: number) => number;
  readonly windowSeconds: number;
  /** Resource units (the identity bucket) or one token per request. */
  readonly unit: "resourceUnits" | "requests";
  /** Conditional Access 429s carry no Retry-After (graph-facts §4). */
  readonly retryAfter: boolean;
  /** x-ms-throttle-information on a 429. */
  readonly information: string;
  /** x-ms-throttle-scope on a 429. */
  readonly scopeHeader: (ids: { appId: string; tenantId: string; mailbox?: string }) => string;
}

/** S (<50 users) 3,500; M (50–500) 5,000; L (>500) 8,000 resource units per 10 s. */
export function identityCapacity(userCount: number): number {
  if (userCount < 50) return 3_500;
  return userCount <= 500 ? 5_000 : 8_000;
}

const fixed = (n: number) => (): number => n;
const appTenant = (kind: string) => (ids: { appId: string; tenantId: string }) => `Tenant_Application/${kind}/${ids.appId}/${ids.tenantId}`;

export const LIMITS: readonly LimitSpec[] = [
  {
    id: "identity-resource-units",
    kind: "resourceUnits",
    scope: "app+tenant",
    capacity: identityCapacity,
    windowSeconds: 10,
    unit: "resourceUnits",
    retryAfter: true,
    information: "ResourceUnitLimitExceeded",
    scopeHeader: appTenant("ReadWrite"),
  },
  {
    id: "writes-app-tenant",
    kind: "writes",
    scope: "app+tenant",
    capacity: fixed(3_000),
    windowSeconds: 150,
    unit: "requests",
    retryAfter: true,
    information: "WriteLimitExceeded",
    scopeHeader: appTenant("ReadWrite"),
  },
  {
    id: "writes-app",
    kind: "writes",
    scope: "app",
    capacity: fixed(35_000),
    windowSeconds: 300,
    unit: "requests",
    retryAfter: true,
    information: "WriteLimitExceeded",
    scopeHeader: (ids) => `Application/ReadWrite/${ids.appId}`,
  },
  {
    id: "writes-tenant",
    kind: "writes",
    scope: "tenant",
    capacity: fixed(18_000),
    windowSeconds: 300,
    unit: "requests",
    retryAfter: true,
    information: "WriteLimitExceeded",
    scopeHeader: (ids) => `Tenant/ReadWrite/${ids.tenantId}`,
  },
  {
    id: "reports-app-tenant",
    kind: "reports",
    scope: "app+tenant",
    capacity: fixed(5),
    windowSeconds: 10,
    unit: "requests",
    retryAfter: true,
    information: "RequestLimitExceeded",
    scopeHeader: appTenant("Reports"),
  },
  {
    id: "reports-app",
    kind: "reports",
    scope: "app",
    capacity: fixed(122),
    windowSeconds: 10,
    unit: "requests",
    retryAfter: true,
    information: "RequestLimitExceeded",
    scopeHeader: (ids) => `Application/Reports/${ids.appId}`,
  },
  {
    id: "sign-in-activity-tenant",
    kind: "signInActivity",
    scope: "tenant",
    capacity: fixed(10),
    windowSeconds: 60,
    unit: "requests",
    retryAfter: true,
    information: "RequestLimitExceeded",
    scopeHeader: (ids) => `Tenant/SignInActivity/${ids.tenantId}`,
  },
  {
    id: "conditional-access-tenant",
    kind: "conditionalAccess",
    scope: "tenant",
    capacity: fixed(1),
    windowSeconds: 1,
    unit: "requests",
    retryAfter: false,
    information: "RequestLimitExceeded",
    scopeHeader: (ids) => `Tenant/ConditionalAccess/${ids.tenantId}`,
  },
  {
    id: "outlook-app-mailbox",
    kind: "mailbox",
    scope: "app+mailbox",
    capacity: fixed(10_000),
    windowSeconds: 600,
    unit: "requests",
    retryAfter: true,
    information: "RequestLimitExceeded",
    scopeHeader: (ids) => `Application_Mailbox/${ids.appId}/${ids.mailbox ?? ""}`,
  },
];
