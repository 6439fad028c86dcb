/** A TableStore on the shared test Azurite, with tables of its own. */
import { randomUUID } from "node:crypto";
import { inject } from "vitest";
import { TableStore } from "../../shared/storage/connection.js";

/**
 * The shared test Azurite, which only the integration tier starts (vitest.config.ts): a unit test
 * (`*.unit.test.ts`) that reaches for it fails here, saying why, instead of timing out on a socket.
 */
export function azuriteConnectionString(): string {
  const connectionString = inject("storageConnectionString");
  if (!connectionString)
    throw new Error("This test needs Azurite, which only the integration tier starts: name it *.test.ts, not *.unit.test.ts");
  return connectionString;
}

/** Alphanumeric, starts with a letter: valid as a table (and queue) name prefix. */
export function uniquePrefix(): string {
  return `t${randomUUID().replaceAll("-", "").slice(0, 12)}`;
}

export function testStore(): TableStore {
  return new TableStore({ connectionString: azuriteConnectionString() }, { tableNamePrefix: uniquePrefix() });
}
