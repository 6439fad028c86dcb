/** App registrations the token endpoint knows, and which tenants consented to each. */

export interface SimulatorApp {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Tenant ids that consented to the app; default: every hosted tenant. */
  readonly tenants?: readonly string[];
}

/** The default test app (client credentials), consented in every hosted tenant. */
export const TEST_APP_CLIENT_ID = "5e3ce6c0-2b1f-4285-8d4b-75ee78787346";
export const TEST_APP_CLIENT_SECRET = "sim~TestAppSecret.0123456789abcdefghij";
export const TEST_APP: SimulatorApp = { clientId: TEST_APP_CLIENT_ID, clientSecret: TEST_APP_CLIENT_SECRET };

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
