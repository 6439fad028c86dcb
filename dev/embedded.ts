/**
 * The embedded default: Azurite and the Graph simulator on this machine, plus the app settings
 * that point the product at them. `npm run sweep`, `npm run dev` and the integration tests share it.
 */
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
export const DEMO_TENANT_FILES = ["fabrikam-healthy.json", "contoso-messy.json", "northwind-free.json"].map((f) => path.join(DEMO_TENANTS_DIR, f));

export interface EmbeddedOptions {
  readonly fixtures: readonly TenantFixture[];
  /** Azurite data folder; in memory when omitted. */
  readonly azuriteLocation?: string;
  readonly throttling?: Partial<ThrottlingOptions>;
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
    simulator = await startGraphSimulator({ fixtures: options.fixtures, ...(options.throttling ? { throttling: options.throttling } : {}) });
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
    },
    async stop() {
      await simulator.close();
      await azurite.stop();
    },
  };
}
