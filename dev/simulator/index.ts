/**
 * Microsoft Graph tenant simulator: an HTTPS server on localhost that the real
 * @microsoft/microsoft-graph-client and @azure/identity can't tell from Graph and Entra ID
 * (base URL and authority host aside). See README.md for what is modelled.
 */
import { TokenAuthority } from "./auth/access-tokens.js";
import {
  AppRegistry,
  TEST_APP,
  TEST_MANAGED_IDENTITY,
  type SimulatorApp,
  type SimulatorCallerApp,
  type SimulatorManagedIdentity,
} from "./auth/apps.js";
import { CallerTokenIssuer, type CallerTokenClaims } from "./auth/caller-tokens.js";
import { MANAGED_IDENTITY_PATH, ManagedIdentityIssuer } from "./auth/managed-identity.js";
import { handleLoginRequest } from "./auth/token-endpoint.js";
import { systemClock, type Clock } from "./clock.js";
import { FaultInjector } from "./faults.js";
import { loadTenantFixture, parseTenantFixture } from "./fixtures/load.js";
import type { TenantFixture } from "./fixtures/schema.js";
import type { RequestCounters, RequestLogEntry } from "./request-log.js";
import { LogBook, TenantDirectory, type SimulatorCore } from "./server/core.js";
import { startHttpsServer } from "./server/https-server.js";
import { handleGraphRequest } from "./server/pipeline.js";
import type { GraphObject } from "./state/graph-object.js";
import { TenantState } from "./state/tenant-state.js";
import { DEFAULT_THROTTLING, ThrottleModel, type ThrottleStats, type ThrottlingOptions } from "./throttling/throttle-model.js";

export {
  TEST_APP,
  TEST_APP_CLIENT_ID,
  TEST_APP_CLIENT_SECRET,
  TEST_APP_CREDENTIAL_PEM_PATH,
  TEST_MANAGED_IDENTITY,
  type FederatedCredential,
  type SimulatorApp,
  type SimulatorCallerApp,
  type SimulatorManagedIdentity,
} from "./auth/apps.js";
export type { CallerTokenClaims } from "./auth/caller-tokens.js";
export { ManualClock, systemClock, type Clock } from "./clock.js";
export type { Fault, FaultHandle, FaultRule } from "./faults.js";
export { FixtureError, loadTenantFixture, parseTenantFixture } from "./fixtures/load.js";
export { tenantFixtureSchema, type FixtureGraph, type TenantFixture } from "./fixtures/schema.js";
export type { RequestCounters, RequestLogEntry } from "./request-log.js";
export type { ThrottleStats, ThrottlingOptions } from "./throttling/throttle-model.js";

export interface GraphSimulatorOptions {
  /** Fixtures as objects or JSON file paths; each is validated. */
  readonly fixtures: readonly (TenantFixture | string)[];
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly throttling?: Partial<ThrottlingOptions>;
  /** Default: [TEST_APP], consented everywhere. */
  readonly apps?: readonly SimulatorApp[];
  /** User-assigned identities the managed-identity endpoint serves. Default: [TEST_MANAGED_IDENTITY]. */
  readonly managedIdentities?: readonly SimulatorManagedIdentity[];
  /** Time source for throttling windows and token expiry (tests: ManualClock). */
  readonly clock?: Clock;
  /** Apps that get tokens for the MSP's API (an app of `apps`) in `homeTenantId`. Default: none. */
  readonly callerApps?: readonly SimulatorCallerApp[];
  /** The MSP's own tenant, not a hosted customer tenant. Default: TEST_MANAGED_IDENTITY's tenant. */
  readonly homeTenantId?: string;
  /**
   * Serve fixture objects without validating them (generated fleets: the generator builds
   * Graph-shaped objects, and validating a million users takes minutes). Default false.
   */
  readonly trustFixtures?: boolean;
}

export interface TenantHandle {
  readonly id: string;
  readonly displayName: string;
  readonly license: TenantFixture["tenant"]["license"];
  readonly requests: readonly RequestLogEntry[];
  readonly counters: Readonly<RequestCounters>;
  /** Throttling numbers for benchmarks: minimal wait, 429s, Retry-After total, per-limit use. */
  readonly throttling: ThrottleStats;
  /** Clears the request log, counters and throttling state (data stays). */
  reset(): void;
  /** Puts the tenant's data back to its fixture (undoes writes, forgets sent mail). */
  restore(): void;
  /** Current state at a Graph path, e.g. "v1.0/users/<id>" (a copy; undefined when absent). */
  get(path: string): unknown;
  /** Messages in the user's Sent Items, newest first. */
  sentMail(userIdOrUpn: string): readonly GraphObject[];
  /** Every @odata.nextLink issued so far answers 400 Directory_ExpiredPageToken; later ones work. */
  expireSkipTokens(): void;
  /**
   * Eventual consistency of per-user MFA writes: the next `reads` GETs of a user's state after a
   * write still answer the previous value. 0 (default) = visible at once; `restore()` resets it.
   */
  setStaleReadsAfterWrite(reads: number): void;
}

export interface GraphSimulator {
  /** "https://localhost:PORT/" — Client.initWithMiddleware({ baseUrl }). */
  readonly baseUrl: string;
  /** "https://localhost:PORT" — ClientSecretCredential({ authorityHost }). */
  readonly authorityHost: string;
  readonly port: number;
  readonly tenantIds: readonly string[];
  readonly faults: Pick<FaultInjector, "add" | "clear">;
  /** Every request, including those no tenant could be tied to (bad tokens). */
  readonly requests: readonly RequestLogEntry[];
  tenant(id: string): TenantHandle;
  /** The app-wide limits (reports per app across tenants): minimal wait, 429s, per-limit use. */
  appThrottling(appId?: string): ThrottleStats;
  /** Refills the app-wide buckets (between benchmark runs). */
  resetAppThrottling(): void;
  /**
   * IDENTITY_ENDPOINT and IDENTITY_HEADER as App Service sets them: with these in the environment,
   * @azure/identity's ManagedIdentityCredential gets its tokens from the simulator.
   */
  readonly managedIdentityEnvironment: { readonly IDENTITY_ENDPOINT: string; readonly IDENTITY_HEADER: string };
  /** A token as the token endpoint would issue it; `roles` default to the tenant's consent. */
  mintToken(tenantId: string, options?: { appId?: string; lifetimeSeconds?: number; roles?: readonly string[] }): string;
  /** The MSP's tenant, where caller apps get their tokens for the API. */
  readonly homeTenantId: string;
  /** A caller app's token as the home tenant's token endpoint issues it, with any claims (tests of refusals). */
  mintCallerToken(claims: CallerTokenClaims): string;
  addTenant(fixture: TenantFixture | string, options?: { readonly trusted?: boolean }): Promise<TenantHandle>;
  close(): Promise<void>;
}

export async function startGraphSimulator(options: GraphSimulatorOptions): Promise<GraphSimulator> {
  const clock = options.clock ?? systemClock;
  const core: SimulatorCore = {
    baseUrl: "",
    clock,
    tenants: new TenantDirectory(),
    apps: new AppRegistry(options.apps ?? [TEST_APP]),
    tokens: new TokenAuthority(clock),
    throttle: new ThrottleModel({ ...DEFAULT_THROTTLING, ...options.throttling }, clock),
    faults: new FaultInjector(),
    logs: new LogBook(),
  };
  const managedIdentities = new ManagedIdentityIssuer(options.managedIdentities ?? [TEST_MANAGED_IDENTITY], () => clock.now());
  for (const fixture of options.fixtures) core.tenants.add(new TenantState(await resolveFixture(fixture, options.trustFixtures)));

  let authorityHost = "";
  const homeTenantId = options.homeTenantId ?? TEST_MANAGED_IDENTITY.tenantId;
  const callerTokens = new CallerTokenIssuer(clock, () => authorityHost);
  const server = await startHttpsServer(options.port ?? 0, {
    graph: (request) => handleGraphRequest(core, request),
    login: (request) =>
      handleLoginRequest(
        {
          authorityHost,
          findTenant: (segment) => core.tenants.byIdOrDomain(segment),
          apps: core.apps,
          tokens: core.tokens,
          managedIdentities,
          now: () => clock.now(),
          onTokenIssued: (tenant) => core.logs.forTenant(tenant.id).counters.tokensIssued++,
          homeTenantId,
          callerApps: options.callerApps ?? [],
          callerTokens,
        },
        request,
      ),
    now: () => clock.now(),
  });
  authorityHost = `https://localhost:${server.port}`;
  core.baseUrl = `${authorityHost}/`;

  const handle = (tenant: TenantState): TenantHandle => tenantHandle(core, tenant);
  return {
    baseUrl: core.baseUrl,
    authorityHost,
    port: server.port,
    managedIdentityEnvironment: {
      IDENTITY_ENDPOINT: `${authorityHost}/${MANAGED_IDENTITY_PATH}`,
      IDENTITY_HEADER: managedIdentities.identityHeader,
    },
    get tenantIds() {
      return core.tenants.all().map((t) => t.id);
    },
    faults: core.faults,
    get requests() {
      return core.logs.all.entries;
    },
    tenant: (id) => {
      const tenant = core.tenants.get(id);
      if (!tenant) throw new RangeError(`the simulator hosts no tenant ${id}`);
      return handle(tenant);
    },
    appThrottling: (appId = TEST_APP.clientId) => core.throttle.appStats(appId),
    resetAppThrottling: () => core.throttle.resetApps(),
    mintToken: (tenantId, mintOptions = {}) => {
      const tenant = core.tenants.get(tenantId);
      if (!tenant) throw new RangeError(`the simulator hosts no tenant ${tenantId}`);
      const appId = mintOptions.appId ?? TEST_APP.clientId;
      const app = core.apps.find(appId);
      if (app && !core.apps.isConsented(app, tenant.id)) throw new RangeError(`app ${appId} is not consented in tenant ${tenantId}`);
      return core.tokens.mint({
        tenantId: tenant.id,
        appId,
        roles: mintOptions.roles ?? tenant.appPermissions,
        ...(mintOptions.lifetimeSeconds !== undefined ? { lifetimeSeconds: mintOptions.lifetimeSeconds } : {}),
      });
    },
    homeTenantId,
    mintCallerToken: (claims) => callerTokens.mint(claims),
    addTenant: async (fixture, addOptions = {}) => {
      const tenant = new TenantState(await resolveFixture(fixture, addOptions.trusted ?? options.trustFixtures));
      core.tenants.add(tenant);
      return handle(tenant);
    },
    close: () => server.close(),
  };
}

function resolveFixture(fixture: TenantFixture | string, trusted = false): Promise<TenantFixture> | TenantFixture {
  if (typeof fixture === "string") return loadTenantFixture(fixture);
  if (trusted) return fixture;
  return parseTenantFixture(fixture, `inline fixture "${String(fixture.tenant?.displayName)}"`);
}

function tenantHandle(core: SimulatorCore, tenant: TenantState): TenantHandle {
  const log = core.logs.forTenant(tenant.id);
  return {
    id: tenant.id,
    displayName: tenant.displayName,
    license: tenant.license,
    get requests() {
      return log.entries;
    },
    get counters() {
      return log.counters;
    },
    get throttling() {
      return core.throttle.stats(tenant.id);
    },
    reset: () => {
      log.reset();
      core.throttle.resetTenant(tenant.id);
    },
    restore: () => tenant.restore(),
    get: (path) => tenant.get(path),
    sentMail: (user) => {
      const found = tenant.findUser(user);
      return found ? structuredClone(tenant.mailboxes.sent(String(found.id))) : [];
    },
    expireSkipTokens: () => tenant.expireSkipTokens(),
    setStaleReadsAfterWrite: (reads) => tenant.setStaleReadsAfterWrite(reads),
  };
}
