/** App settings that point the product at the tests' Azurite and an in-process Graph simulator. */
import { azuriteConnectionString } from "../storage/store.js";
import { TEST_APP_CLIENT_ID, TEST_APP_CLIENT_SECRET, type GraphSimulator } from "../../dev/simulator/index.js";

export interface SimulatorSettingsOptions {
  /** Tables of their own in the shared Azurite (uniquePrefix()). */
  readonly tablePrefix: string;
  /** The simulator's throttling time scale; our backoff and pacing follow it. */
  readonly timeScale?: number;
}

export function simulatorSettings(
  sim: Pick<GraphSimulator, "authorityHost" | "baseUrl">,
  options: SimulatorSettingsOptions,
): Record<string, string> {
  return {
    AzureWebJobsStorage: azuriteConnectionString(),
    STORAGE_TABLE_PREFIX: options.tablePrefix,
    GRAPH_CLIENT_ID: TEST_APP_CLIENT_ID,
    GRAPH_CLIENT_SECRET: TEST_APP_CLIENT_SECRET,
    GRAPH_AUTHORITY_HOST: sim.authorityHost,
    GRAPH_BASE_URL: sim.baseUrl,
    GRAPH_TIME_SCALE: String(options.timeScale ?? 0.001),
  };
}
