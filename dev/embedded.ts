/**
 * The embedded default: Azurite and the Graph simulator on this machine, plus the app settings
 * that point the product at them. `npm run sweep`, `npm run dev` and the integration tests share it.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { startAzurite, type AzuriteInstance } from "./azurite.js";
import {
  startGraphSimulator,
  TEST_APP_CLIENT_ID,
  TEST_APP_CLIENT_SECRET,
  type GraphSimulator,
  type TenantFixture,
  type ThrottlingOptions,
} from "./simulator/index.js";

export const DEMO_TENANTS_DIR = path.resolve(import.meta.dirname, "fixtures/tenants");
export const DEMO_TENANT_FILES = ["fabrikam-healthy.json", "contoso-messy.json", "northwind-free.json"].map((f) =>
  path.join(DEMO_TENANTS_DIR, f),
);

export interface EmbeddedOptions {
  readonly fixtures: readonly TenantFixture[];
  /** Azurite data folder; in memory when omitted. */
  readonly azuriteLocation?: string;
  readonly throttling?: Partial<ThrottlingOptions>;
  /** Adds the approval settings (devApprovalSettings): links point at this local host URL. */
  readonly approvals?: DevApprovalOptions;
}

export interface DevApprovalOptions {
  /** Where the approval links point, e.g. http://localhost:7071 (the local host). */
  readonly publicBaseUrl: string;
  /** The mailbox that sends the digests; default: the first fixture's first enabled member with a mail address. */
  readonly mailSender?: { readonly tenantId: string; readonly address: string };
}

export interface Embedded {
  readonly simulator: GraphSimulator;
  readonly azurite: AzuriteInstance;
  /** App settings (as environment variables) for loadSettings(). */
  readonly settings: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

export async function startEmbedded(options: EmbeddedOptions): Promise<Embedded> {
  const azurite = await startAzurite(options.azuriteLocation === undefined ? {} : { location: options.azuriteLocation });
  let simulator: GraphSimulator;
  try {
    simulator = await startGraphSimulator({
      fixtures: options.fixtures,
      ...(options.throttling ? { throttling: options.throttling } : {}),
    });
  } catch (e) {
    await azurite.stop();
    throw e;
  }
  const timeScale = options.throttling?.timeScale ?? 1;
  return {
    simulator,
    azurite,
    settings: {
      AzureWebJobsStorage: azurite.connectionString,
      GRAPH_CLIENT_ID: TEST_APP_CLIENT_ID,
      GRAPH_CLIENT_SECRET: TEST_APP_CLIENT_SECRET,
      GRAPH_AUTHORITY_HOST: simulator.authorityHost,
      GRAPH_BASE_URL: simulator.baseUrl,
      GRAPH_TIME_SCALE: String(timeScale),
      ...(options.approvals ? devApprovalSettings(options.fixtures, options.approvals) : {}),
    },
    async stop() {
      await simulator.close();
      await azurite.stop();
    },
  };
}

/**
 * Approval settings for a local run: a signing key made up now (random, held in memory only, so
 * links die with the process and no secret is ever committed), links to the local host, and a
 * mailbox of a simulated tenant as the sender.
 */
export function devApprovalSettings(fixtures: readonly TenantFixture[], options: DevApprovalOptions): Record<string, string> {
  const sender = options.mailSender ?? defaultMailSender(fixtures);
  return {
    APPROVAL_SIGNING_KEYS: `dev-${Date.now().toString(36)}:${randomBytes(32).toString("base64")}`,
    PUBLIC_BASE_URL: options.publicBaseUrl,
    MAIL_SENDER: sender.address,
    MAIL_TENANT_ID: sender.tenantId,
  };
}

function defaultMailSender(fixtures: readonly TenantFixture[]): { tenantId: string; address: string } {
  for (const fixture of fixtures) {
    const user = fixture.graph["v1.0/users"]?.find(
      (u) => u.accountEnabled === true && u.userType === "Member" && typeof u.mail === "string",
    );
    if (user && typeof user.mail === "string") return { tenantId: fixture.tenant.id, address: user.mail };
  }
  throw new RangeError("No fixture has an enabled member with a mail address to send approval emails from; pass mailSender.");
}
