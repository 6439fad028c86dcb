/** App registrations the token endpoint knows, their credentials, and which tenants consented to each. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * A federated identity credential of an app registration: Entra exchanges an assertion whose
 * `iss`, `sub` and `aud` match it (case-sensitively) for the app's token. `issuer` may start with
 * `{authorityHost}`, replaced by the simulator's own URL (its managed-identity issuer lives there).
 */
export interface FederatedCredential {
  readonly issuer: string;
  readonly subject: string;
  readonly audiences: readonly string[];
}

export interface SimulatorApp {
  readonly clientId: string;
  /** Absent: the app has no secret, and `client_secret` is refused. */
  readonly clientSecret?: string;
  /** Certificates (PEM, public part) whose keys may sign client assertions. */
  readonly certificates?: readonly string[];
  readonly federatedCredentials?: readonly FederatedCredential[];
  /** Tenant ids that consented to the app; default: every hosted tenant. */
  readonly tenants?: readonly string[];
}

/**
 * A user-assigned managed identity the simulator's managed-identity endpoint (App Service's
 * IDENTITY_ENDPOINT) issues tokens for. Its tokens' `iss` is `{authorityHost}/{tenantId}/v2.0`
 * and `sub` its principal (object) id, as Entra's are for managed identities.
 */
export interface SimulatorManagedIdentity {
  readonly clientId: string;
  readonly principalId: string;
  /** The tenant the identity lives in (the MSP's own; need not be a hosted tenant). */
  readonly tenantId: string;
}

/**
 * An app of the MSP's own (a ticketing system) that gets tokens for the MSP's API (tenant-patrol's
 * app registration) in the MSP's tenant, with the app roles the API granted it.
 */
export interface SimulatorCallerApp {
  readonly clientId: string;
  readonly clientSecret: string;
  /** App roles of the API assigned to the caller's service principal (the `roles` claim). */
  readonly roles: readonly string[];
}

const CERTS = new URL("../certs/", import.meta.url);

/** The managed identity tenant-patrol runs as in tests of `GRAPH_CREDENTIAL_MODE=managed-identity`. */
export const TEST_MANAGED_IDENTITY: SimulatorManagedIdentity = {
  clientId: "0b6f7d3e-6a53-4d0e-9d35-8a1f1c2b9e11",
  principalId: "a4c1e2f3-7b8d-4e9f-8a0b-1c2d3e4f5a6b",
  tenantId: "7e1a9c3b-2d4f-4a6b-8c0d-9e1f2a3b4c5d",
};

/** The private key and certificate of the test app, for `GRAPH_CREDENTIAL_MODE=certificate`. */
export const TEST_APP_CREDENTIAL_PEM_PATH = fileURLToPath(new URL("test-app-credential.pem", CERTS));

/** The default test app (client credentials), consented in every hosted tenant, with all three kinds of credential. */
export const TEST_APP_CLIENT_ID = "5e3ce6c0-2b1f-4285-8d4b-75ee78787346";
export const TEST_APP_CLIENT_SECRET = "sim~TestAppSecret.0123456789abcdefghij";
export const TEST_APP: SimulatorApp = {
  clientId: TEST_APP_CLIENT_ID,
  clientSecret: TEST_APP_CLIENT_SECRET,
  certificates: [readFileSync(new URL("test-app-certificate.pem", CERTS), "utf8")],
  federatedCredentials: [
    {
      issuer: `{authorityHost}/${TEST_MANAGED_IDENTITY.tenantId}/v2.0`,
      subject: TEST_MANAGED_IDENTITY.principalId,
      audiences: ["api://AzureADTokenExchange"],
    },
  ],
};

export class AppRegistry {
  private readonly apps: ReadonlyMap<string, SimulatorApp>;

  constructor(apps: readonly SimulatorApp[]) {
    this.apps = new Map(apps.map((app) => [app.clientId.toLowerCase(), app]));
  }

  find(clientId: string): SimulatorApp | undefined {
    return this.apps.get(clientId.toLowerCase());
  }

  isConsented(app: SimulatorApp, tenantId: string): boolean {
    return app.tenants === undefined || app.tenants.some((t) => t.toLowerCase() === tenantId.toLowerCase());
  }
}
