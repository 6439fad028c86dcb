/**
 * vitest globalSetup: one in-memory Azurite for the whole run. Tests read its connection string
 * with `azuriteConnectionString()` (test/storage/store.ts) and isolate themselves by table/queue name prefix.
 */
import type { TestProject } from "vitest/node";
import { startAzurite } from "../../dev/azurite.js";

declare module "vitest" {
  export interface ProvidedContext {
    storageConnectionString: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const azurite = await startAzurite();
  project.provide("storageConnectionString", azurite.connectionString);
  return () => azurite.stop();
}
