/** A TableStore on the shared test Azurite, with tables of its own. */
import { randomUUID } from "node:crypto";
import { inject } from "vitest";
import { TableStore } from "../../shared/storage/connection.js";

/** Alphanumeric, starts with a letter: valid as a table (and queue) name prefix. */
export function uniquePrefix(): string {
  return `t${randomUUID().replaceAll("-", "").slice(0, 12)}`;
}

export function testStore(): TableStore {
  return new TableStore({ connectionString: inject("storageConnectionString") }, { tableNamePrefix: uniquePrefix() });
}
